package i18n

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Translators work on gettext PO files (Poedit, Weblate, Lokalize read
// them): `homeward i18n export` writes one language's catalog as a PO file
// and `homeward i18n import` reads a translator's file back into the
// catalogs and the review status. In the PO file every message is an entry
// whose context (msgctxt) is the key and whose msgid is the English text;
// a plural message is one entry with msgid_plural and a msgstr[i] per
// plural form of the language, in the order of PluralForms (the file's
// Plural-Forms header says the same in gettext's terms). A translation that
// is machine-made or was made from an older English text carries the
// "fuzzy" flag, which translation tools show as "needs review"; a
// translator clears it by reviewing the entry. Importing records an entry
// without the flag as reviewed and one with it as machine-made.

// MaxPOSize bounds a PO file read by ImportPO (the whole catalog of a
// language is about half a megabyte).
const MaxPOSize = 8 << 20

// gettextPlural is the Plural-Forms header of each language, the gettext
// form of PluralForm (indices follow PluralForms).
var gettextPlural = map[string]string{
	"en":  "nplurals=2; plural=(n != 1);",
	"bn":  "nplurals=2; plural=(n > 1);",
	"ckb": "nplurals=2; plural=(n != 1);",
	"ur":  "nplurals=2; plural=(n != 1);",
	"ar":  "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}

// poEntry is one message of a PO file.
type poEntry struct {
	Line      int      // where the entry starts (1-based), for messages
	Comments  []string // translator (#) and extracted (#.) comments, as written
	Refs      []string // #: references
	Fuzzy     bool
	Ctxt      string
	ID        string
	IDPlural  string
	Plural    bool
	Str       []string // one, or one per plural form
	hasString bool
}

// ExportPO writes lang's catalog as a PO file: every English message, its
// translation (empty where there is none), the catalog file it lives in as
// the reference, and the fuzzy flag on machine-made and stale translations.
func ExportPO(lang string, w io.Writer) error {
	lang = Base(lang)
	if !Supported(lang) {
		return fmt.Errorf("i18n: %q is not a supported language", lang)
	}
	files, err := keyFiles(Default)
	if err != nil {
		return err
	}
	langFiles, err := keyFiles(lang)
	if err != nil {
		return err
	}
	st, err := Statuses(lang)
	if err != nil {
		return err
	}
	en, have := catalog(Default), catalog(lang)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Homeward messages in %s (%s).\n", localeName(lang), lang)
	fmt.Fprintf(bw, "# Entries flagged fuzzy are machine-made or were translated from an older English text:\n")
	fmt.Fprintf(bw, "# review them and clear the flag. Import with: homeward i18n import --lang %s FILE\n", lang)
	fmt.Fprintf(bw, "msgid \"\"\nmsgstr \"\"\n")
	for _, h := range []string{
		"Project-Id-Version: Homeward",
		"Language: " + lang,
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=UTF-8",
		"Content-Transfer-Encoding: 8bit",
		"Plural-Forms: " + gettextPlural[lang],
	} {
		fmt.Fprintf(bw, "%s\n", poQuote(h+"\n"))
	}
	forms := PluralForms(lang)
	for _, k := range Keys(Default) {
		base, form, plural := pluralKey(en, k)
		if plural && form != "other" {
			continue
		}
		e := poEntry{Ctxt: k, ID: en[k], Refs: []string{files[k]}}
		keys := []string{k}
		if plural {
			e.Ctxt, e.Plural = base, true
			e.ID, e.IDPlural = en[base+".one"], en[base+".other"]
			keys = keys[:0]
			for _, f := range forms {
				keys = append(keys, base+"."+f)
			}
		}
		if lang == Default {
			for _, key := range keys {
				e.Str = append(e.Str, en[key])
			}
		} else {
			for _, key := range keys {
				v, ok := have[key]
				e.Str = append(e.Str, v)
				if !ok {
					continue
				}
				if f := langFiles[key]; f != files[k] && !slices.Contains(e.Refs, f) {
					e.Refs = append(e.Refs, f)
				}
				if lang == "bn" {
					continue // Bangla was written beside English and has no status file
				}
				s, ok := st[key]
				src := en[key]
				if _, own := en[key]; !own {
					src = en[k]
				}
				switch {
				case !ok || s.State != StateReviewed:
					e.Fuzzy = true
					e.Comments = appendOnce(e.Comments, "#. machine-made: awaiting a translator's review")
				case s.Source != SourceHash(src):
					e.Fuzzy = true
					e.Comments = appendOnce(e.Comments, "#. the English text changed after this was translated")
				}
			}
		}
		bw.WriteString("\n")
		writeEntry(bw, e)
	}
	return bw.Flush()
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func localeName(lang string) string {
	for _, l := range locales {
		if l.Tag == lang {
			return l.Name
		}
	}
	return lang
}

func writeEntry(w *bufio.Writer, e poEntry) {
	for _, c := range e.Comments {
		w.WriteString(c + "\n")
	}
	if len(e.Refs) > 0 {
		w.WriteString("#: " + strings.Join(e.Refs, " ") + "\n")
	}
	if e.Fuzzy {
		w.WriteString("#, fuzzy\n")
	}
	w.WriteString("msgctxt " + poQuote(e.Ctxt) + "\n")
	w.WriteString("msgid " + poQuote(e.ID) + "\n")
	if e.Plural {
		w.WriteString("msgid_plural " + poQuote(e.IDPlural) + "\n")
		for i, s := range e.Str {
			fmt.Fprintf(w, "msgstr[%d] %s\n", i, poQuote(s))
		}
		return
	}
	w.WriteString("msgstr " + poQuote(e.Str[0]) + "\n")
}

// poQuote writes s as one PO string, escaping what C strings escape; a
// message with line breaks is split after each break, as gettext does.
func poQuote(s string) string {
	esc := func(s string) string {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			switch r {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\r':
				b.WriteString(`\r`)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	}
	if i := strings.IndexByte(s, '\n'); i < 0 || i == len(s)-1 {
		return esc(s)
	}
	parts := []string{`""`}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			i = len(s) - 1
		}
		parts = append(parts, esc(s[:i+1]))
		s = s[i+1:]
	}
	return strings.Join(parts, "\n")
}

// POError is a fault of a PO file being imported, with its line.
type POError struct {
	Line int
	Msg  string
}

func (e POError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// POErrors are all the faults found in one file; an import with any
// writes nothing.
type POErrors []POError

func (es POErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// parsePO reads a PO file's entries (the header entry, msgid "", dropped).
func parsePO(r io.Reader) ([]poEntry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxPOSize)
	var (
		out  []poEntry
		cur  poEntry
		open bool     // an entry has begun
		last *string  // the string a continuation line extends
		errs POErrors // syntax faults
		seen = map[string]int{}
	)
	flush := func() {
		if open && (cur.ID != "" || cur.Ctxt != "") {
			if cur.Ctxt != "" {
				if l, dup := seen[cur.Ctxt]; dup {
					errs = append(errs, POError{cur.Line, fmt.Sprintf("message %q appears twice (first at line %d)", cur.Ctxt, l)})
				}
				seen[cur.Ctxt] = cur.Line
			}
			out = append(out, cur)
		}
		cur, open, last = poEntry{}, false, nil
	}
	n := 0
	begin := func() {
		if !open {
			cur.Line, open = n, true
		}
	}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		switch {
		case line == "":
			last = nil
			continue
		case strings.HasPrefix(line, "#~"):
			continue // obsolete entries are ignored
		case strings.HasPrefix(line, "#"):
			if cur.hasString {
				flush()
			}
			begin()
			if strings.HasPrefix(line, "#,") {
				for _, f := range strings.Split(line[2:], ",") {
					if strings.TrimSpace(f) == "fuzzy" {
						cur.Fuzzy = true
					}
				}
			}
			last = nil
			continue
		case strings.HasPrefix(line, `"`):
			if last == nil {
				errs = append(errs, POError{n, "a quoted line that continues nothing"})
				continue
			}
			s, err := poUnquote(line)
			if err != nil {
				errs = append(errs, POError{n, err.Error()})
				continue
			}
			*last += s
			continue
		}
		kw, rest, _ := strings.Cut(line, " ")
		s, err := poUnquote(strings.TrimSpace(rest))
		if err != nil {
			errs = append(errs, POError{n, fmt.Sprintf("%s: %v", kw, err)})
			last = nil
			continue
		}
		if (kw == "msgctxt" || kw == "msgid") && cur.hasString {
			flush()
		}
		begin()
		switch {
		case kw == "msgctxt":
			cur.Ctxt = s
			last = &cur.Ctxt
		case kw == "msgid":
			cur.ID = s
			last = &cur.ID
		case kw == "msgid_plural":
			cur.IDPlural, cur.Plural = s, true
			last = &cur.IDPlural
		case kw == "msgstr":
			cur.Str, cur.hasString = append(cur.Str, s), true
			last = &cur.Str[len(cur.Str)-1]
		case strings.HasPrefix(kw, "msgstr[") && strings.HasSuffix(kw, "]"):
			i, err := strconv.Atoi(kw[len("msgstr[") : len(kw)-1])
			if err != nil || i != len(cur.Str) {
				errs = append(errs, POError{n, fmt.Sprintf("%s: plural forms must be numbered 0, 1, 2… in order", kw)})
				last = nil
				continue
			}
			cur.Str, cur.hasString = append(cur.Str, s), true
			last = &cur.Str[len(cur.Str)-1]
		default:
			errs = append(errs, POError{n, fmt.Sprintf("%q is not a PO keyword", kw)})
			last = nil
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", n+1, MaxPOSize)
		}
		return nil, err
	}
	flush()
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// poUnquote reads one quoted PO string.
func poUnquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", errors.New("a string must be in double quotes on one line")
	}
	var b strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '"' {
			return "", errors.New(`a double quote inside a string must be written \"`)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", errors.New("the string ends with a lone backslash")
		}
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(body[i])
		default:
			return "", fmt.Errorf(`unknown escape \%c`, body[i])
		}
	}
	return b.String(), nil
}

// ImportSummary says what ImportPO changed.
type ImportSummary struct {
	Translated int      // entries whose text was added or changed
	Reviewed   int      // entries now recorded as reviewed
	Machine    int      // entries left (or recorded) as machine-made
	Files      []string // catalog files written, relative to the tree
}

// ImportPO reads a translator's PO file for lang and writes its
// translations into the catalog tree rooted at dir (a checkout: the
// directory holding internal/i18n): the text into locales/<lang>/<file>.json
// (the file the key already lives in, else the English one's), and each
// key's review status into status/<lang>.json — reviewed unless the entry
// is fuzzy. Every entry is checked first (known key, the current English
// text, placeholders as in English, one text per plural form of the
// language); with any fault nothing is written and every fault is
// returned with its line. An empty translation leaves the key as it is.
func ImportPO(dir, lang string, r io.Reader) (ImportSummary, error) {
	var sum ImportSummary
	lang = Base(lang)
	if !Supported(lang) || lang == Default {
		return sum, fmt.Errorf("i18n: --lang %q: import a translation into bn, ar, ckb or ur", lang)
	}
	root := filepath.Join(dir, "internal", "i18n")
	if fi, err := os.Stat(filepath.Join(root, "locales", Default)); err != nil || !fi.IsDir() {
		return sum, fmt.Errorf("i18n: %s holds no catalogs (internal/i18n/locales/en): run the import from a Homeward checkout or give --dir", dir)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxPOSize+1))
	if err != nil {
		return sum, err
	}
	if len(data) > MaxPOSize {
		return sum, fmt.Errorf("i18n: the PO file is larger than %d MiB", MaxPOSize>>20)
	}
	entries, err := parsePO(bytes.NewReader(data))
	if err != nil {
		return sum, err
	}
	tree := os.DirFS(root)
	enFiles, err := treeKeyFiles(tree, Default)
	if err != nil {
		return sum, err
	}
	en := map[string]string{}
	for k := range enFiles {
		en[k] = enFiles[k].text
	}
	langFiles, err := treeKeyFiles(tree, lang)
	if err != nil {
		return sum, err
	}
	st, err := treeStatuses(tree, lang)
	if err != nil {
		return sum, err
	}
	forms := PluralForms(lang)
	type change struct{ key, text, file, source string }
	var changes []change
	var errs POErrors
	fail := func(e poEntry, format string, a ...any) {
		errs = append(errs, POError{e.Line, fmt.Sprintf("%q: ", e.Ctxt) + fmt.Sprintf(format, a...)})
	}
	for _, e := range entries {
		if e.Ctxt == "" {
			errs = append(errs, POError{e.Line, "an entry without msgctxt: the context is the message's key and must stay"})
			continue
		}
		var keys []string
		var sources []string
		if e.Plural {
			if _, ok := en[e.Ctxt+".other"]; !ok {
				fail(e, "not a plural message of the English catalog")
				continue
			}
			if e.ID != en[e.Ctxt+".one"] || e.IDPlural != en[e.Ctxt+".other"] {
				fail(e, "translated from an older English text: export again and translate the current one")
				continue
			}
			if len(e.Str) != len(forms) {
				fail(e, "%d plural forms given; %s has %d (%s)", len(e.Str), lang, len(forms), strings.Join(forms, ", "))
				continue
			}
			for _, f := range forms {
				keys = append(keys, e.Ctxt+"."+f)
				src, own := en[e.Ctxt+"."+f]
				if !own {
					src = en[e.Ctxt+".other"]
				}
				sources = append(sources, src)
			}
		} else {
			src, ok := en[e.Ctxt]
			if !ok {
				fail(e, "not in the English catalog")
				continue
			}
			if _, _, plural := pluralKey(en, e.Ctxt); plural {
				fail(e, "a form of a plural message: translate it with msgid_plural")
				continue
			}
			if e.ID != src {
				fail(e, "translated from an older English text: export again and translate the current one")
				continue
			}
			if len(e.Str) != 1 {
				fail(e, "one msgstr expected")
				continue
			}
			keys, sources = []string{e.Ctxt}, []string{src}
		}
		if slices.Contains(e.Str, "") {
			if slices.ContainsFunc(e.Str, func(s string) bool { return s != "" }) {
				fail(e, "some plural forms are translated and some are empty: give every form")
			}
			continue // not translated: the key stays as it is
		}
		bad := false
		for i, s := range e.Str {
			if want, got := placeholders(sources[i]), placeholders(s); !slices.Equal(want, got) {
				fail(e, "has {%s}, English has {%s}", strings.Join(got, "}, {"), strings.Join(want, "}, {"))
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		for i, k := range keys {
			file := langFiles[k].file
			if file == "" {
				file = enFiles[e.Ctxt].file
				if e.Plural {
					file = enFiles[e.Ctxt+".other"].file
				}
			}
			changes = append(changes, change{k, e.Str[i], file, SourceHash(sources[i])})
			if e.Fuzzy {
				sum.Machine++
			} else {
				sum.Reviewed++
			}
			if langFiles[k].text != e.Str[i] {
				sum.Translated++
			}
			state := StateReviewed
			if e.Fuzzy {
				state = StateMachine
			}
			if lang != "bn" {
				st[k] = KeyStatus{Source: SourceHash(sources[i]), State: state}
			}
		}
	}
	if len(errs) > 0 {
		return ImportSummary{}, errs
	}
	// Rewrite each touched file once, keys in their order, new keys last.
	byFile := map[string][]change{}
	for _, c := range changes {
		if langFiles[c.key].text == c.text && langFiles[c.key].file == c.file {
			continue
		}
		byFile[c.file] = append(byFile[c.file], c)
	}
	names := make([]string, 0, len(byFile))
	for f := range byFile {
		names = append(names, f)
	}
	sort.Strings(names)
	type out struct {
		path string
		data []byte
	}
	var writes []out
	for _, f := range names {
		p := path.Join("locales", lang, f)
		kv, err := readOrdered(tree, p)
		if err != nil {
			return ImportSummary{}, err
		}
		for _, c := range byFile[f] {
			if i := slices.IndexFunc(kv, func(x [2]string) bool { return x[0] == c.key }); i >= 0 {
				kv[i][1] = c.text
			} else {
				kv = append(kv, [2]string{c.key, c.text})
			}
		}
		b, err := writeOrdered(kv)
		if err != nil {
			return ImportSummary{}, err
		}
		writes = append(writes, out{p, b})
		sum.Files = append(sum.Files, filepath.ToSlash(filepath.Join("internal", "i18n", p)))
	}
	if lang != "bn" && len(changes) > 0 {
		b, err := marshalJSON(st)
		if err != nil {
			return ImportSummary{}, err
		}
		p := path.Join("status", lang+".json")
		if old, _ := fs.ReadFile(tree, p); !bytes.Equal(old, b) {
			writes = append(writes, out{p, b})
			sum.Files = append(sum.Files, filepath.ToSlash(filepath.Join("internal", "i18n", p)))
		}
	}
	// Each file is replaced whole (written beside it, then renamed), so a
	// failure leaves every file either old or new, never cut.
	for _, w := range writes {
		if err := replaceFile(filepath.Join(root, filepath.FromSlash(w.path)), w.data); err != nil {
			return ImportSummary{}, err
		}
	}
	return sum, nil
}

func replaceFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".import-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

type keyText struct{ file, text string }

// keyFiles maps each key of lang's embedded catalog to its file name.
func keyFiles(lang string) (map[string]string, error) {
	m, err := treeKeyFiles(localesRoot{}, lang)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.file
	}
	return out, nil
}

// localesRoot shows the embedded catalogs as the tree internal/i18n.
type localesRoot struct{}

func (localesRoot) Open(name string) (fs.File, error) {
	if strings.HasPrefix(name, "status/") || name == "status" {
		return statusFS.Open(name)
	}
	return localesFS.Open(name)
}

func treeKeyFiles(tree fs.FS, lang string) (map[string]keyText, error) {
	out := map[string]keyText{}
	dir := path.Join("locales", lang)
	ents, err := fs.ReadDir(tree, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return out, nil
		}
		return nil, err
	}
	for _, d := range ents {
		if d.IsDir() || path.Ext(d.Name()) != ".json" {
			continue
		}
		kv, err := readOrdered(tree, path.Join(dir, d.Name()))
		if err != nil {
			return nil, err
		}
		for _, x := range kv {
			out[x[0]] = keyText{d.Name(), x[1]}
		}
	}
	return out, nil
}

func treeStatuses(tree fs.FS, lang string) (map[string]KeyStatus, error) {
	m := map[string]KeyStatus{}
	b, err := fs.ReadFile(tree, path.Join("status", lang+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n: status/%s.json: %w", lang, err)
	}
	return m, nil
}

// readOrdered reads a flat catalog file keeping its keys' order.
func readOrdered(tree fs.FS, p string) ([][2]string, error) {
	b, err := fs.ReadFile(tree, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("i18n: %s: not a JSON object", p)
	}
	var kv [][2]string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", p, err)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("i18n: %s: key %v: %w", p, t, err)
		}
		kv = append(kv, [2]string{t.(string), v})
	}
	return kv, nil
}

// writeOrdered writes a flat catalog file as the catalogs are written: two
// spaces of indent, keys in the given order, text unescaped.
func writeOrdered(kv [][2]string) ([]byte, error) {
	if len(kv) == 0 {
		return []byte("{}\n"), nil
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, x := range kv {
		k, err := marshalJSON(x[0])
		if err != nil {
			return nil, err
		}
		v, err := marshalJSON(x[1])
		if err != nil {
			return nil, err
		}
		b.WriteString("  ")
		b.Write(bytes.TrimSuffix(k, []byte("\n")))
		b.WriteString(": ")
		b.Write(bytes.TrimSuffix(v, []byte("\n")))
		if i < len(kv)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
