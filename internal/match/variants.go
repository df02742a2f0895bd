package match

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:embed variants.txt
var builtinVariants string

// Variants maps spellings of a name to a shared key, so that "Mohammed" and
// "Muhammad" compare as the same name. The zero value is empty; use
// DefaultVariants or NewVariants for the shipped table. A Variants must not
// be changed (Load) while it is in use by a matcher.
type Variants struct {
	key map[string]string
}

var (
	defaultOnce sync.Once
	defaultVar  *Variants
)

// DefaultVariants returns the shipped table (variants.txt). It is shared; do
// not Load into it — use NewVariants for an extensible copy.
func DefaultVariants() *Variants {
	defaultOnce.Do(func() {
		defaultVar = &Variants{key: map[string]string{}}
		if err := defaultVar.Load(strings.NewReader(builtinVariants)); err != nil {
			panic(err) // the embedded file is checked by tests
		}
	})
	return defaultVar
}

// NewVariants returns a copy of the shipped table that may be extended with
// Load (for example from an organisation's configuration file).
func NewVariants() *Variants {
	d := DefaultVariants()
	v := &Variants{key: make(map[string]string, len(d.key))}
	for k, g := range d.key {
		v.key[k] = g
	}
	return v
}

// Load reads variant lines from r and adds them to v. Each line lists
// spellings of one name separated by spaces or commas; the first is the key.
// Blank lines and lines starting with # are ignored. A spelling already
// known joins its whole group to the line's key, so a configuration file can
// add spellings to a shipped group by naming any member of it.
func (v *Variants) Load(r io.Reader) error {
	if v.key == nil {
		v.key = map[string]string{}
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var words []string
		for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' }) {
			if w := Fold(f); w != "" && !strings.Contains(w, " ") {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			return fmt.Errorf("match: variants line %d: no name in %q", line, text)
		}
		// If any word already has a key, that group wins (merging groups).
		key := words[0]
		for _, w := range words {
			if k, ok := v.key[w]; ok {
				key = k
				break
			}
		}
		for _, w := range words {
			old, ok := v.key[w]
			if ok && old != key {
				for s, g := range v.key {
					if g == old {
						v.key[s] = key
					}
				}
			}
			v.key[w] = key
		}
	}
	return sc.Err()
}

// Key returns the shared key of a folded token: its group's key when the
// table lists it, otherwise the token itself.
func (v *Variants) Key(tok string) string {
	if k, ok := v.key[tok]; ok {
		return k
	}
	return tok
}

// Len returns the number of spellings in v.
func (v *Variants) Len() int { return len(v.key) }
