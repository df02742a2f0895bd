package match

import "strings"

// digraphs are rewritten before the skeleton is taken; the order matters
// ("sch" before "ch").
var digraphs = strings.NewReplacer(
	"sch", "s", "tch", "c", "ck", "k", "ph", "f", "kh", "k", "gh", "g",
	"bh", "b", "dh", "d", "th", "t", "jh", "j", "sh", "s", "ch", "c",
	"zh", "j", "wh", "w", "rh", "r", "ee", "i", "oo", "u", "ou", "u", "q", "k",
	"z", "j", "x", "ks", "v", "w", "ey", "i", "ay", "i",
)

// Phonetic returns a rough sound key for a folded Latin-script token so that
// transliterations the variant table does not list still meet: digraphs
// are simplified (kh→k, ph→f, sh→s, q→k, z→j, v→w …), doubled letters
// collapse, and vowels are dropped except a leading one (written "a") and a
// trailing one (written "a", so Rahim and Rahima stay apart). Tokens in
// other scripts, and tokens with digits, are returned unchanged.
func Phonetic(tok string) string {
	if tok == "" || !isASCII(tok) {
		return tok
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 'a' || c > 'z' {
			return tok
		}
	}
	s := digraphs.Replace(tok)
	out := make([]byte, 0, len(s))
	var last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		vowel := isVowel(c) || (c == 'y' && i > 0) || (c == 'w' && i > 0 && isVowel(s[i-1]))
		switch {
		case i == 0 && isVowel(c):
			c = 'a'
		case i == len(s)-1 && vowel && len(out) > 1:
			c = 'a'
		case vowel:
			last = 0 // a vowel between two equal consonants keeps both ("nan")
			continue
		case c == 'h' && i > 0:
			continue // a silent or aspirating h after another letter
		}
		if c == last {
			continue
		}
		out = append(out, c)
		last = c
	}
	return string(out)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
