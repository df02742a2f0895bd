package form

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
)

// The built-in forms' texts in the languages beyond English and Bangla, one
// file a language (builtin/translations/<lang>.json), the English text as
// the key. A translator edits the file and regenerates the workbooks (go
// run ./internal/form/builtin/gen); Status says whether a person has
// reviewed the translations or they are machine-made.
//
//go:embed builtin/translations/*.json
var translationFS embed.FS

// Translation is one language's file of the built-in forms' texts.
type Translation struct {
	Language string            `json:"language"` // the catalog's code: ar, ckb, ur
	Name     string            `json:"name"`     // the language's English name, for the XLSForm column
	Status   string            `json:"status"`   // TranslationMachine or TranslationReviewed
	Note     string            `json:"note,omitempty"`
	Texts    map[string]string `json:"texts"`
}

// Review states of a translation file.
const (
	TranslationMachine  = "machine"
	TranslationReviewed = "reviewed"
)

// File is the translation's path in the source tree.
func (t *Translation) File() string {
	return "internal/form/builtin/translations/" + t.Language + ".json"
}

// Text returns the translation of en, or "" (an empty cell: the form shows
// the English text).
func (t *Translation) Text(en string) string {
	if en == "" {
		return ""
	}
	return t.Texts[en]
}

// BuiltinTranslations reads the translation files, ordered by language.
func BuiltinTranslations() ([]*Translation, error) {
	names, err := translationFS.ReadDir("builtin/translations")
	if err != nil {
		return nil, err
	}
	var out []*Translation
	for _, n := range names {
		b, err := translationFS.ReadFile(path.Join("builtin/translations", n.Name()))
		if err != nil {
			return nil, err
		}
		t := new(Translation)
		if err := json.Unmarshal(b, t); err != nil {
			return nil, fmt.Errorf("form translations/%s: %w", n.Name(), err)
		}
		if t.Language+".json" != n.Name() || t.Name == "" {
			return nil, fmt.Errorf("form translations/%s: language %q, name %q: the file is named after its language, which has an English name", n.Name(), t.Language, t.Name)
		}
		if t.Status != TranslationMachine && t.Status != TranslationReviewed {
			return nil, fmt.Errorf("form translations/%s: status %q is neither %q nor %q", n.Name(), t.Status, TranslationMachine, TranslationReviewed)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Language < out[j].Language })
	return out, nil
}

// BuiltinTexts returns every English text of the built-in forms (titles,
// labels, hints, messages, choices), once each, sorted.
func BuiltinTexts() []string {
	seen := map[string]bool{}
	add := func(t Text) {
		if s := t["en"]; s != "" {
			seen[s] = true
		}
	}
	for _, f := range Builtins() {
		add(f.Title)
		for _, q := range f.Questions {
			add(q.Label)
			add(q.Hint)
			add(q.RequiredMessage)
			add(q.ConstraintMessage)
		}
		for _, l := range f.Lists {
			for _, c := range l {
				add(c.Label)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
