package i18n

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies the catalogs and status files into a fresh checkout-like
// directory and returns it.
func copyTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"locales", "status"} {
		err := filepath.WalkDir(sub, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, "internal", "i18n", p)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// treeHash is a digest of every file under dir, to show nothing changed.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(h.Sum(nil))
}

func exportPO(t *testing.T, lang string) string {
	t.Helper()
	var b bytes.Buffer
	if err := ExportPO(lang, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// entryOf returns the text of the entry whose msgctxt is key.
func entryOf(t *testing.T, po, key string) string {
	t.Helper()
	for _, e := range strings.Split(po, "\n\n") {
		if strings.Contains(e, "msgctxt \""+key+"\"\n") {
			return e
		}
	}
	t.Fatalf("no entry %q in the PO file", key)
	return ""
}

func readCatalogFile(t *testing.T, dir, lang, file string) map[string]string {
	t.Helper()
	kv, err := readOrdered(os.DirFS(filepath.Join(dir, "internal", "i18n")), "locales/"+lang+"/"+file)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, x := range kv {
		m[x[0]] = x[1]
	}
	return m
}

// An exported file imported unchanged changes nothing, in every language;
// the export is what every message and plural form of the catalog says.
func TestPORoundTripChangesNothing(t *testing.T) {
	dir := copyTree(t)
	before := treeHash(t, dir)
	for _, lang := range []string{"bn", "ar", "ckb", "ur"} {
		po := exportPO(t, lang)
		sum, err := ImportPO(dir, lang, strings.NewReader(po))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if sum.Translated != 0 || len(sum.Files) != 0 {
			t.Errorf("%s: an unchanged file changed %d messages, wrote %v", lang, sum.Translated, sum.Files)
		}
		if n := strings.Count(po, "\nmsgctxt "); n < 1000 {
			t.Errorf("%s: only %d entries exported", lang, n)
		}
	}
	if treeHash(t, dir) != before {
		t.Error("importing unchanged exports rewrote files")
	}
	ar := exportPO(t, "ar")
	plural := entryOf(t, ar, "ui_a.fill.errors")
	for _, want := range []string{"msgid_plural ", "msgstr[5] ", "#, fuzzy"} {
		if !strings.Contains(plural, want) {
			t.Errorf("Arabic plural entry lacks %q:\n%s", want, plural)
		}
	}
	if !strings.Contains(ar, `"Plural-Forms: nplurals=6;`) {
		t.Error("the Arabic file does not say its six plural forms")
	}
	if bn := exportPO(t, "bn"); strings.Contains(bn, "#, fuzzy") {
		t.Error("Bangla, written beside English, is flagged for review")
	}
}

// A translator who corrects an entry and clears its fuzzy flag makes it
// reviewed, from the English text it was made from; a fuzzy one stays
// machine-made; the file keeps its keys' order.
func TestPOImportRecordsReview(t *testing.T) {
	dir := copyTree(t)
	po := exportPO(t, "ur")
	e := entryOf(t, po, "account.digits.save")
	reviewed := strings.Replace(strings.Replace(e, "#, fuzzy\n", "", 1), "\nmsgstr \"", "\nmsgstr \"ہندسے محفوظ کیجیے \\\"ابھی\\\" ", 1)
	po = strings.Replace(po, e, reviewed, 1)
	sum, err := ImportPO(dir, "ur", strings.NewReader(po))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Translated != 1 || sum.Reviewed != 1 {
		t.Fatalf("summary %+v, want one message changed and reviewed", sum)
	}
	got := readCatalogFile(t, dir, "ur", "digits.json")["account.digits.save"]
	if !strings.HasPrefix(got, `ہندسے محفوظ کیجیے "ابھی" `) {
		t.Errorf("the translation was not written: %q", got)
	}
	st, err := treeStatuses(os.DirFS(filepath.Join(dir, "internal", "i18n")), "ur")
	if err != nil {
		t.Fatal(err)
	}
	if s := st["account.digits.save"]; s.State != StateReviewed || s.Source != SourceHash(T("en", "account.digits.save", nil)) {
		t.Errorf("status %+v, want reviewed from the current English text", s)
	}
	if s := st["account.digits.latin"]; s.State != StateMachine {
		t.Errorf("an entry still fuzzy became %q", s.State)
	}
	orig, _ := readOrdered(os.DirFS("."), "locales/ur/digits.json")
	now, _ := readOrdered(os.DirFS(filepath.Join(dir, "internal", "i18n")), "locales/ur/digits.json")
	if len(orig) != len(now) {
		t.Fatalf("%d keys became %d", len(orig), len(now))
	}
	for i := range orig {
		if orig[i][0] != now[i][0] {
			t.Fatalf("key %d is %q, was %q: the order changed", i, now[i][0], orig[i][0])
		}
	}
}

// A message the language lacks lands in the file English keeps it in.
func TestPOImportAddsMissingMessage(t *testing.T) {
	dir := copyTree(t)
	po := exportPO(t, "ckb")
	p := filepath.Join(dir, "internal", "i18n", "locales", "ckb", "digits.json")
	kv, err := readOrdered(os.DirFS(filepath.Dir(p)), "digits.json")
	if err != nil {
		t.Fatal(err)
	}
	var kept [][2]string
	for _, x := range kv {
		if x[0] != "account.digits.title" {
			kept = append(kept, x)
		}
	}
	b, _ := writeOrdered(kept)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := ImportPO(dir, "ckb", strings.NewReader(po))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Translated != 1 {
		t.Errorf("summary %+v, want the one missing message added", sum)
	}
	if got := readCatalogFile(t, dir, "ckb", "digits.json")["account.digits.title"]; got != T("ckb", "account.digits.title", nil) {
		t.Errorf("added %q", got)
	}
}

// Every fault is reported with its line, and a file with any writes nothing.
func TestPOImportRefusesFaults(t *testing.T) {
	dir := copyTree(t)
	before := treeHash(t, dir)
	po := exportPO(t, "ar")
	one := entryOf(t, po, "account.digits.saved")
	plural := entryOf(t, po, "ui_a.fill.errors")
	cases := map[string]struct{ from, to, want string }{
		"placeholder":  {plural, strings.Replace(plural, "msgstr[3] \"{n}", "msgstr[3] \"{count}", 1), "has {count}, English has {n}"},
		"plural count": {plural, plural[:strings.Index(plural, "msgstr[5]")], "5 plural forms given; ar has 6"},
		"partly empty": {plural, emptyForm(plural, 2), "some plural forms are translated and some are empty"},
		"unknown key":  {one, strings.Replace(one, "account.digits.saved", "account.digits.gone", 1), "not in the English catalog"},
		"old English":  {one, strings.Replace(one, "msgid \"Your choice", "msgid \"Thy choice", 1), "older English text"},
		"no context":   {one, strings.Replace(one, "msgctxt \"account.digits.saved\"\n", "", 1), "without msgctxt"},
		"bad quote":    {one, strings.Replace(one, "msgstr \"", "msgstr \"a\"b", 1), "double quote"},
		"bad escape":   {one, strings.Replace(one, "msgstr \"", "msgstr \"\\q", 1), `unknown escape \q`},
		"keyword":      {one, strings.Replace(one, "msgstr ", "msgtxt ", 1), "not a PO keyword"},
		"twice":        {one, one + "\n\n" + one, "appears twice"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(po, c.from, c.to, 1)
			_, err := ImportPO(dir, "ar", strings.NewReader(bad))
			var faults POErrors
			if !errors.As(err, &faults) {
				t.Fatalf("got %v, want line-numbered faults", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
			for _, f := range faults {
				if f.Line < 1 || f.Line > strings.Count(bad, "\n")+1 {
					t.Errorf("fault at line %d of a %d-line file", f.Line, strings.Count(bad, "\n"))
				}
			}
		})
	}
	if treeHash(t, dir) != before {
		t.Error("a refused file changed the catalogs")
	}
	huge := strings.NewReader(strings.Repeat("#\n", MaxPOSize/2+1))
	if _, err := ImportPO(dir, "ar", huge); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a file over the limit: %v", err)
	}
	if _, err := ImportPO(dir, "en", strings.NewReader(po)); err == nil {
		t.Error("English, the source, was imported")
	}
	if _, err := ImportPO(t.TempDir(), "ar", strings.NewReader(po)); err == nil || !strings.Contains(err.Error(), "holds no catalogs") {
		t.Errorf("a directory without catalogs: %v", err)
	}
}

// Strings with quotes, backslashes and line breaks survive the PO file.
func TestPOQuoting(t *testing.T) {
	for _, s := range []string{"", `a "b" \c`, "one\ntwo", "line\n", "tab\there", "a\n\nb\n"} {
		q := poQuote(s)
		var got strings.Builder
		for _, line := range strings.Split(q, "\n") {
			u, err := poUnquote(line)
			if err != nil {
				t.Fatalf("%q quoted as %q: %v", s, q, err)
			}
			got.WriteString(u)
		}
		if got.String() != s {
			t.Errorf("%q came back as %q", s, got.String())
		}
	}
}

// emptyForm empties plural form i of a PO entry.
func emptyForm(entry string, i int) string {
	lines := strings.Split(entry, "\n")
	for j, l := range lines {
		if strings.HasPrefix(l, fmt.Sprintf("msgstr[%d] ", i)) {
			lines[j] = fmt.Sprintf("msgstr[%d] \"\"", i)
		}
	}
	return strings.Join(lines, "\n")
}
