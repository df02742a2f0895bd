package arabicname

import "strings"

// A skeleton is a Latin phonetic key that a name written in Arabic script
// and its Latin transliterations share, for names that the Latin table
// (see Latin) does not list: "جبار" and "Jabbar", "حسين" and "Hussein",
// "Husain", "Hossain". Arabic script writes consonants and long vowels
// only, so the skeleton keeps consonants (grouped by how Latin spellings
// render them: خ ق ك are all k, ص س are s, ض ذ د are d …), the long vowels
// و and ي as w and y, and the final vowel of the word (a, y or w), and drops
// ا inside a word, ع and the hamza. A Latin spelling cannot tell a long
// vowel from a short one, so a Latin token has a set of skeletons (a single
// i or e may stand for ي or for nothing, a single o or u for و or nothing)
// and the two agree when the Arabic skeleton is in the Latin set. Pairs
// that must stay apart do: حسن (hsn) is not Hussein (hwsyn, hsyn), علي
// (ly) is not Alia (lya, la).

// arabicSkel maps folded Arabic-script letters to their skeleton letter; a
// letter absent from the map is dropped. S stands for sh, C for ch.
var arabicSkel = map[rune]string{
	'ب': "b", 'پ': "p", 'ت': "t", 'ط': "t", 'ث': "t", 'ج': "j", 'ژ': "j", 'چ': "C",
	'ح': "h", 'ه': "h", 'خ': "k", 'ق': "k", 'ك': "k", 'گ': "g", 'غ': "g",
	'د': "d", 'ذ': "d", 'ض': "d", 'ر': "r", 'ز': "z", 'ظ': "z", 'س': "s", 'ص': "s",
	'ش': "S", 'ف': "f", 'ڤ': "w", 'ل': "l", 'م': "m", 'ن': "n", 'و': "w", 'ي': "y",
}

// ArabicSkeleton returns the skeleton of a folded Arabic-script token (see
// FoldRune; the article already stripped), "" when it has no letter the
// skeleton keeps or holds a letter outside Arabic script.
func ArabicSkeleton(tok string) string {
	rs := []rune(tok)
	var b strings.Builder
	last := ""
	for i, r := range rs {
		final := i == len(rs)-1 && i > 0
		var s string
		switch {
		case final && (r == 'ا' || r == 'ه'):
			s = "a" // ا and ta marbuta (folded to ه) end Fatima, Zahra, Kawa
		case r == 'ا' || r == 'ع':
			continue // a long a, or ʿayn, which Latin spellings leave out
		default:
			var ok bool
			if s, ok = arabicSkel[r]; !ok {
				if r < 0x0600 || r > 0x06FF {
					return ""
				}
				continue
			}
		}
		if s == last {
			continue
		}
		b.WriteString(s)
		last = s
	}
	return b.String()
}

// latinDigraphs are Latin letter groups read as one skeleton letter, longest
// first; "y" and "w" are long vowels (or consonants), "" marks a letter
// dropped.
var latinDigraphs = []struct{ from, to string }{
	{"sch", "S"}, {"sh", "S"}, {"ch", "C"}, {"kh", "k"}, {"gh", "g"}, {"th", "t"}, {"dh", "d"}, {"zh", "j"},
	{"ph", "f"}, {"ck", "k"}, {"ei", "y"}, {"ai", "y"}, {"ay", "y"}, {"ey", "y"}, {"ee", "y"}, {"ie", "y"},
	{"ii", "y"}, {"ou", "w"}, {"oo", "w"}, {"uu", "w"}, {"aw", "w"}, {"ow", "w"},
	{"q", "k"}, {"c", "k"}, {"x", "ks"}, {"v", "w"},
}

// maxOptional bounds the vowels of a Latin token read both ways: a longer
// name's remaining single vowels count as short.
const maxOptional = 6

// LatinSkeletons returns the skeletons a lower-case Latin token (a-z only)
// may stand for, nil for any other token. See the package note on
// skeletons: a single i or e inside the word is y or nothing, a single o or
// u is w or nothing, a is nothing; a final a, e, ah or eh is a, a final i,
// y, ee or ie is y, a final o, u or ou is w; a first vowel is nothing or
// y (Sorani's ئ).
func LatinSkeletons(tok string) []string {
	if tok == "" {
		return nil
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 'a' || c > 'z' {
			return nil
		}
	}
	// Units: a skeleton letter, or alternatives (a vowel that may be long
	// or short).
	type unit struct {
		s    string
		alts []string
	}
	var us []unit
	s := tok
	var tail []unit
	if len(s) > 2 && (strings.HasSuffix(s, "ah") || strings.HasSuffix(s, "eh")) {
		// Fatimah, Kaweh: the h may only lengthen the final vowel (ة),
		// or be a letter (Salah صلاح).
		s, tail = s[:len(s)-2], []unit{{alts: []string{"a", "h"}}}
	}
	for i := 0; i < len(s); {
		final := func(n int) bool { return i+n == len(s) && i > 0 }
		matched := false
		for _, d := range latinDigraphs {
			if strings.HasPrefix(s[i:], d.from) {
				to := d.to
				if i == 0 && (d.to == "y" || d.to == "w") && isLatinVowel(s[0]) {
					to = "" // Eid, Aisha, Ousman: a word begins with a vowel
				}
				us = append(us, unit{s: to})
				i += len(d.from)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		c := s[i]
		switch {
		case final(1) && (c == 'a' || c == 'e'):
			us = append(us, unit{s: "a"})
		case final(1) && (c == 'i' || c == 'y'):
			us = append(us, unit{s: "y"})
		case final(1) && (c == 'o' || c == 'u'):
			us = append(us, unit{s: "w"})
		case i == 0 && isLatinVowel(c):
			// A word's first vowel: the ا or ع before it is dropped, but
			// Sorani writes it on ئ, folded to ي (ئاران Aran).
			us = append(us, unit{alts: []string{"", "y"}})
		case c == 'a':
			// a short a
		case c == 'i' || c == 'e':
			us = append(us, unit{alts: []string{"", "y"}})
		case c == 'o' || c == 'u':
			us = append(us, unit{alts: []string{"", "w"}})
		default:
			us = append(us, unit{s: string(c)})
		}
		i++
	}
	us = append(us, tail...)
	out := []string{""}
	optional := 0
	for _, u := range us {
		if u.alts != nil {
			if optional++; optional > maxOptional {
				u.alts = u.alts[:1]
			}
			n := len(out)
			for _, a := range u.alts[1:] {
				for j := 0; j < n; j++ {
					out = append(out, out[j]+a)
				}
			}
			for j := 0; j < n; j++ {
				out[j] += u.alts[0]
			}
			continue
		}
		for j := range out {
			out[j] += u.s
		}
	}
	// Doubled letters (Hassan, Jabbar, and a long vowel beside y or w)
	// are one; duplicates are removed.
	seen := map[string]bool{}
	res := out[:0]
	for _, k := range out {
		k = collapse(k)
		if k != "" && !seen[k] {
			seen[k] = true
			res = append(res, k)
		}
	}
	return res
}

func isLatinVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

func collapse(s string) string {
	b := []byte(s)
	out := b[:0]
	for i, c := range b {
		if i > 0 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// SkeletonsMeet reports whether an Arabic-script token and a Latin token
// share a skeleton (in either order); two tokens in one script never do
// here (their own rules compare them).
func SkeletonsMeet(a, b string) bool {
	if IsArabicScript(b) {
		a, b = b, a
	}
	if !IsArabicScript(a) || IsArabicScript(b) {
		return false
	}
	k := ArabicSkeleton(a)
	if k == "" {
		return false
	}
	for _, l := range LatinSkeletons(b) {
		if l == k {
			return true
		}
	}
	return false
}

// Translit writes a folded Arabic-script token (article stripped) in rough
// Latin letters, as a Latin spelling would: consonants as in the skeleton
// (ش sh, چ ch), ا as a, و and ي inside a word as u and i, a final ا or ه
// as a (و and ي before ا are w and y), and ع as a at the start of a word and nothing elsewhere ("جبار" →
// "jabar", "عمر" → "amr"). It is not a transliteration to show anyone: the
// registry's sound key (match.SoundKey) reads it so that a search in one
// script finds a name written in the other. A token with a letter outside
// Arabic script gives "".
func Translit(tok string) string {
	rs := []rune(tok)
	var b strings.Builder
	for i, r := range rs {
		first, final := i == 0, i == len(rs)-1 && i > 0
		beforeA := i+1 < len(rs) && rs[i+1] == 'ا' // و and ي before ا are w and y
		switch {
		case r == 'ع' || r == 'ا':
			if first || r == 'ا' {
				b.WriteByte('a')
			}
			continue
		case final && r == 'ه':
			b.WriteByte('a')
			continue
		case !first && !beforeA && r == 'و':
			b.WriteByte('u')
			continue
		case !first && !beforeA && r == 'ي':
			b.WriteByte('i')
			continue
		}
		s, ok := arabicSkel[r]
		if !ok {
			if r < 0x0600 || r > 0x06FF {
				return ""
			}
			continue
		}
		switch s {
		case "S":
			s = "sh"
		case "C":
			s = "ch"
		}
		b.WriteString(s)
	}
	return b.String()
}
