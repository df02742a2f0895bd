package i18n

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

// The review status of machine-made translations, one file per language
// beside the catalogs (not loaded as messages): for each key, the hash of
// the English text it was translated from and whether a person reviewed it.
//
//go:embed status
var statusFS embed.FS

// Review states of a translated key.
const (
	StateMachine  = "machine"  // machine-made, awaiting a reviewer
	StateReviewed = "reviewed" // read and corrected by a translator
)

// KeyStatus is one key's entry in status/<lang>.json.
type KeyStatus struct {
	Source string `json:"source"` // SourceHash of the English text translated
	State  string `json:"state"`
}

// SourceHash is the short hash status files keep of an English text, so
// that a translation made from an older text shows as stale.
func SourceHash(english string) string {
	h := sha256.Sum256([]byte(english))
	return hex.EncodeToString(h[:8])
}

// Problem is one fault of a translation, with where it is.
type Problem struct {
	Lang, File, Key string
	// Kind is "extra" (a key English lacks), "placeholder" (a {name} that
	// differs from English), "plural" (a plural form the language does not
	// have, or one it lacks), "missing" (no translation: English shows),
	// "stale" (translated from an older English text) or "machine"
	// (machine-made, not reviewed yet).
	Kind   string
	Detail string
}

func (p Problem) String() string {
	where := p.Lang
	if p.File != "" {
		where += "/" + p.File
	}
	return fmt.Sprintf("%s: %s %q: %s", where, p.Kind, p.Key, p.Detail)
}

// Faults are the kinds that make a catalog wrong (a test fails on them);
// the others are work for translators.
var Faults = []string{"extra", "placeholder", "plural"}

// Check reads every catalog file of every language and reports, file by
// file, keys English lacks, placeholders that differ from English and
// plural forms that are not the language's CLDR categories; then, for each
// language, the keys not translated, translated from an older English text
// or not reviewed. Problems come sorted by language, kind, file and key.
func Check() ([]Problem, error) {
	en := catalog(Default)
	var out []Problem
	err := fs.WalkDir(localesFS, "locales", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		lang, file := path.Base(path.Dir(p)), path.Base(p)
		if lang == Default {
			return nil
		}
		b, err := localesFS.ReadFile(p)
		if err != nil {
			return err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("i18n: %s: %w", p, err)
		}
		for k, v := range m {
			out = append(out, checkKey(en, lang, file, k, v)...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, l := range locales {
		if l.Tag == Default {
			continue
		}
		st, err := Statuses(l.Tag)
		if err != nil {
			return nil, err
		}
		have := catalog(l.Tag)
		for _, k := range Keys(Default) {
			base, form, plural := pluralKey(en, k)
			if plural && form != "other" {
				continue // the language's own forms are checked once, with "other"
			}
			keys := []string{k}
			if plural {
				keys = keys[:0]
				for _, f := range PluralForms(l.Tag) {
					keys = append(keys, base+"."+f)
				}
			}
			for _, key := range keys {
				if _, ok := have[key]; !ok {
					kind := "missing"
					if plural {
						kind = "plural"
					}
					out = append(out, Problem{Lang: l.Tag, Key: key, Kind: kind, Detail: "no translation: English is shown"})
					continue
				}
				s, ok := st[key]
				src, own := en[key] // a form English lacks (Arabic's "two") is translated from "other"
				if !own {
					src = en[k]
				}
				switch {
				case l.Tag == "bn":
					// Bangla was written beside English and has no status file.
				case !ok:
					out = append(out, Problem{Lang: l.Tag, Key: key, Kind: "machine", Detail: "no review status recorded"})
				case s.Source != SourceHash(src):
					out = append(out, Problem{Lang: l.Tag, Key: key, Kind: "stale", Detail: "the English text changed after it was translated"})
				case s.State != StateReviewed:
					out = append(out, Problem{Lang: l.Tag, Key: key, Kind: "machine", Detail: "machine-made, awaiting review"})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Lang != b.Lang {
			return a.Lang < b.Lang
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Key < b.Key
	})
	return out, nil
}

// checkKey checks one translated key against English.
func checkKey(en map[string]string, lang, file, k, v string) []Problem {
	src, ok := en[k]
	if !ok {
		base, form := k, ""
		if i := strings.LastIndexByte(k, '.'); i > 0 {
			base, form = k[:i], k[i+1:]
		}
		if _, plural := en[base+".other"]; plural {
			if !slices.Contains(PluralForms(lang), form) {
				return []Problem{{lang, file, k, "plural", fmt.Sprintf("%q is not a plural form of %s (CLDR: %s)", form, lang, strings.Join(PluralForms(lang), ", "))}}
			}
			src = en[base+".other"]
		} else {
			return []Problem{{lang, file, k, "extra", "not in the English catalog"}}
		}
	} else if _, form, plural := pluralKey(en, k); plural && !slices.Contains(PluralForms(lang), form) {
		return []Problem{{lang, file, k, "plural", fmt.Sprintf("%q is not a plural form of %s (CLDR: %s)", form, lang, strings.Join(PluralForms(lang), ", "))}}
	}
	want, got := placeholders(src), placeholders(v)
	if !slices.Equal(want, got) {
		return []Problem{{lang, file, k, "placeholder", fmt.Sprintf("has {%s}, English has {%s}", strings.Join(got, "}, {"), strings.Join(want, "}, {"))}}
	}
	return nil
}

// pluralKey reports whether English key k is a form of a plural message
// (base.one and base.other both exist), and which form.
func pluralKey(en map[string]string, k string) (base, form string, ok bool) {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return "", "", false
	}
	base, form = k[:i], k[i+1:]
	_, one := en[base+".one"]
	_, other := en[base+".other"]
	return base, form, one && other && (form == "one" || form == "other")
}

// placeholders lists the distinct {names} of a message, sorted.
func placeholders(msg string) []string {
	var names []string
	for _, part := range strings.Split(msg, "{")[1:] {
		name, _, ok := strings.Cut(part, "}")
		if ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Statuses reads status/<lang>.json; an absent file is an empty status.
func Statuses(lang string) (map[string]KeyStatus, error) {
	b, err := statusFS.ReadFile("status/" + lang + ".json")
	if err != nil {
		return map[string]KeyStatus{}, nil
	}
	var m map[string]KeyStatus
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n: status/%s.json: %w", lang, err)
	}
	for k, s := range m {
		if s.State != StateMachine && s.State != StateReviewed {
			return nil, fmt.Errorf("i18n: status/%s.json: key %q: state %q is neither %q nor %q", lang, k, s.State, StateMachine, StateReviewed)
		}
	}
	return m, nil
}
