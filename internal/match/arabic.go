package match

import (
	"strings"
	"sync"

	"homeward/internal/arabicname"
)

// arabicNameTokens applies the name rules of Arabic script to folded name
// tokens (see internal/arabicname): the article ال and Latin "el" written
// apart are dropped, عبد and the next word joined ("عبد الله" and "Abd
// Allah" are one word), the article stripped from the start of a word, and
// a common name in Arabic script replaced by a Latin spelling that the
// variant table knows, so that "محمد حسين" and "Mohammed Hussein" have the
// same variant keys and agree on the name. Latin and Bangla tokens pass
// through unchanged unless a cross-token rule applies.
func arabicNameTokens(toks []string) []string {
	if len(toks) == 0 {
		return toks
	}
	toks = arabicname.JoinTokens(toks)
	for i, t := range toks {
		if !arabicname.IsArabicScript(t) {
			continue
		}
		t = arabicname.StripArticle(t)
		if l, ok := arabicname.Latin(t); ok {
			t = l
		}
		toks[i] = t
	}
	return toks
}

// skeletonNames reports whether two names, one holding Arabic-script
// tokens and the other none, are the same name across scripts: token by
// token (in any order when anyOrder), each pair has the same variant key or,
// an Arabic-script token against a Latin one, shares its Latin phonetic
// skeleton (arabicname.SkeletonsMeet: "جبار" and "Jabbar"). Common names
// were given a Latin spelling already (arabicNameTokens), so this reaches
// the names the table does not list.
func skeletonNames(a, b *nameFeat, anyOrder bool) bool {
	if arabicname.IsArabicScript(a.text) == arabicname.IsArabicScript(b.text) {
		return false
	}
	at, bt := strings.Fields(a.text), strings.Fields(b.text)
	if len(at) != len(bt) || len(at) != len(a.keys) || len(bt) != len(b.keys) {
		return false
	}
	same := func(i, j int) bool {
		return a.keys[i] == b.keys[j] || arabicname.SkeletonsMeet(at[i], bt[j])
	}
	if !anyOrder {
		for i := range at {
			if !same(i, i) {
				return false
			}
		}
		return true
	}
	used := make([]bool, len(bt))
next:
	for i := range at {
		for j := range bt {
			if !used[j] && same(i, j) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}

// knownNameKeys are the variant keys of the common Arabic names that
// arabicname spells in Latin: each is a name of its own.
var knownNameKeys = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range arabicname.LatinNames() {
		if n := NormalizeName(l, nil); len(n.Keys) == 1 {
			m[n.Keys[0]] = true
		}
	}
	return m
})

// knownApart reports whether two names differ in a part where both are
// known, different names (Hasan and Hussain, Ali and Alia): their sound
// keys may well agree (h-s-n, a-l-a), but they are not the same name
// written another way.
func knownApart(a, b *nameFeat) bool {
	ak, bk := strings.Fields(a.sorted), strings.Fields(b.sorted)
	if len(ak) != len(bk) {
		return false
	}
	known := knownNameKeys()
	for i := range ak {
		if ak[i] != bk[i] && known[ak[i]] && known[bk[i]] {
			return true
		}
	}
	return false
}

// SoundKey is Phonetic for a name token in any script: a token in Arabic
// script is first written in rough Latin letters (arabicname.Translit), so
// that "جبار" and "Jabbar" share the sound key "jbr" and a search in one
// script finds the other. Other tokens are Phonetic's.
func SoundKey(tok string) string {
	if arabicname.IsArabicScript(tok) {
		if l := arabicname.Translit(tok); l != "" {
			return Phonetic(l)
		}
	}
	return Phonetic(tok)
}
