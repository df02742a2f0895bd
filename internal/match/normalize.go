package match

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"homeward/internal/arabicname"
)

// Fold returns s case-folded, with Latin diacritics removed, Arabic-script
// letter variants unified and short vowels dropped, native digits turned
// into ASCII digits, and every run of punctuation or space turned into a
// single space. Apostrophes vanish ("O'Brien" → "obrien"). Fold is
// idempotent: Fold(Fold(s)) == Fold(s).
func Fold(s string) string {
	out := foldOnce(strings.ToValidUTF8(s, " "))
	// Lower-casing or recomposition can, rarely, produce a character that
	// folds further (compatibility forms); fold until nothing changes.
	for i := 0; i < 3 && !isASCII(out); i++ {
		next := foldOnce(out)
		if next == out {
			break
		}
		out = next
	}
	return out
}

func foldOnce(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	emit := func(r rune) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r == utf8.RuneError:
			space = true
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == 'ʻ':
			// O'Brien, Mu'min: apostrophes are dropped without splitting.
		case r == 0x200C || r == 0x200D || r == 0x0640: // ZWNJ, ZWJ, tatweel
		case r >= '0' && r <= '9':
			emit(r)
		case unicode.Is(unicode.Nd, r):
			emit(rune('0' + digitValue(r)))
		case unicode.Is(unicode.Arabic, r):
			switch a := foldArabic(r); a {
			case 0:
			case ' ':
				space = true
			default:
				emit(a)
			}
		case unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Bengali, r) && !unicode.Is(unicode.Devanagari, r):
			// Latin combining marks after NFKD (é → e), Arabic harakat.
		case unicode.IsLetter(r) || unicode.Is(unicode.M, r):
			emit(unicode.ToLower(r))
		default:
			space = true
		}
	}
	out := b.String()
	if !isASCII(out) {
		// Recompose scripts whose vowel signs must stay attached (Bangla).
		out = norm.NFC.String(out)
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// digitValue returns the value of a decimal digit in any script: Unicode
// places every decimal digit set in ten consecutive code points from zero.
func digitValue(r rune) int {
	for z := r; z > r-10; z-- {
		if !unicode.Is(unicode.Nd, z-1) {
			return int(r - z)
		}
	}
	return 0
}

// foldDigits replaces native digits with ASCII ones and leaves all else.
func foldDigits(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r > 0x7f && unicode.Is(unicode.Nd, r) {
			return rune('0' + digitValue(r))
		}
		return r
	}, s)
}

// foldArabic unifies the letters that Arabic, Urdu and Persian typists write
// differently for the same sound, and drops vowel marks. It returns 0 for
// runes to drop.
func foldArabic(r rune) rune {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r >= 0x06D6 && r <= 0x06ED:
		return 0 // harakat, superscript alef, Quranic marks
	}
	switch r {
	case '،', '؛', '؟', '٪', '٫', '٬':
		return ' '
	}
	if !unicode.IsLetter(r) {
		return 0
	}
	return arabicname.FoldRune(r) // one home for the letter rules, shared with search
}

// Tokens splits s into folded tokens.
func Tokens(s string) []string { return strings.Fields(Fold(s)) }

// honorifics are titles and prefixes that say little about who a person is:
// they are written on one registration and left off the next.
var honorifics = map[string]bool{
	"md": true, "mohd": true, "mhd": true, "muhd": true, "mohammad": true, "muhammad": true,
	"mst": true, "most": true, "mosammat": true, "mosammet": true, "mossammat": true, "mosamat": true, "musammat": true, "mosst": true,
	"sk": true, "sheikh": true, "shaikh": true, "shekh": true, "seikh": true, "sh": true,
	"haji": true, "hajee": true, "hajji": true, "al": true, "alhaj": true, "alhajj": true, "alhaji": true,
	"dr": true, "doctor": true, "prof": true, "engr": true, "eng": true, "adv": true, "advocate": true,
	"mr": true, "mrs": true, "ms": true, "miss": true, "mister": true,
	"syed": true, "sayed": true, "sayyid": true, "sayyed": true, "saiyed": true, "sayeed": false,
	"maulana": true, "mawlana": true, "moulana": true, "molana": true, "mufti": true, "hafez": true, "hafiz": true,
	"kazi": false, "late": true, "lt": true, "marhum": true, "mrs.": true,
	"sri": true, "shri": true, "sree": true, "srimati": true, "smt": true, "babu": true,
	"begum": false, // a family name in Bangladesh; kept as a name
	"শেখ":   true, "হাজী": true, "হাজি": true, "ডাঃ": true, "ডা": true, "আলহাজ্ব": true, "আলহাজ": true, "সৈয়দ": true, "মৌলানা": true, "মাওলানা": true, "জনাব": true, "বেগম": false,
	"حاج": true, "الحاج": true, "سيد": true, "شيخ": true, "الشيخ": true, "د": true, "دكتور": true,
	"bin": true, "bint": true, "ibn": true, "binte": true, "binti": true, "s/o": true, "d/o": true, "w/o": true,
}

// titles are English ranks, offices and post-nominals, and ordinals ("1st",
// "9th"): like the honorifics they are written on one record and left off
// the next ("Sir Thomas Clifford, 1st Baron", "Thomas Clifford"), and unlike
// "Mohammad" they are never a name on their own.
var titles = map[string]bool{
	"sir": true, "dame": true, "lord": true, "lady": true, "rev": true, "revd": true, "reverend": true,
	"hon": true, "rt": true, "capt": true, "captain": true, "col": true, "colonel": true, "gen": true, "general": true,
	"maj": true, "major": true, "lieut": true, "sgt": true, "jr": true, "jnr": true, "snr": true,
	"bt": true, "bart": true, "baronet": true, "esq": true, "kbe": true, "obe": true, "mbe": true, "cbe": true, "qc": true, "kc": true,
}

// isTitle reports whether a folded token is in titles or an ordinal.
func isTitle(tok string) bool {
	if titles[tok] {
		return true
	}
	n := len(tok)
	if n < 3 || !isDigits(tok[:n-2]) {
		return false
	}
	switch tok[n-2:] {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

// IsHonorific reports whether a folded token is a title or prefix (Md,
// Mohd, Mst, Sk, Haji, Dr, Syed, Sir, 1st …) rather than part of the name
// proper.
func IsHonorific(tok string) bool { return honorifics[tok] || isTitle(tok) }

// Name is a personal name after normalisation: Tokens are the parts that
// identify the person, in their original order; Prefixes are the honorifics
// found (and separated) in it.
type Name struct {
	Tokens   []string // folded name tokens without honorifics
	Keys     []string // the variant key of each token (same length as Tokens)
	Prefixes []string // folded honorifics, in order of appearance
}

// Text returns the folded tokens joined by spaces.
func (n Name) Text() string { return strings.Join(n.Tokens, " ") }

// SortedKey returns the variant keys in sorted order, joined by spaces: two
// names with the same parts in any order and any listed spelling share it.
func (n Name) SortedKey() string {
	ks := append([]string(nil), n.Keys...)
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

// NormalizeName folds s, separates honorifics and maps each remaining token
// to its variant key with v (nil means the built-in table). When every token
// is an honorific ("Mohammad", "Haji Md"), the tokens that are names in their
// own right are kept as the name so that nothing is lost.
func NormalizeName(s string, v *Variants) Name {
	if v == nil {
		v = DefaultVariants()
	}
	toks := arabicNameTokens(Tokens(s))
	var n Name
	for _, t := range toks {
		if IsHonorific(t) || honorificKey[v.Key(t)] {
			n.Prefixes = append(n.Prefixes, t)
			continue
		}
		n.Tokens = append(n.Tokens, t)
	}
	if len(n.Tokens) == 0 && len(n.Prefixes) > 0 {
		// "Mohammad" alone is the name; pure titles (Dr, Mr) are not.
		var keep []string
		for _, t := range n.Prefixes {
			if len(t) > 3 && t != "doctor" && t != "mister" && t != "late" && t != "miss" && !isTitle(t) {
				keep = append(keep, t)
			}
		}
		if len(keep) > 0 {
			n.Tokens, n.Prefixes = keep, nil
		}
	}
	if len(n.Tokens) == 0 {
		return n
	}
	n.Keys = make([]string, len(n.Tokens))
	for i, t := range n.Tokens {
		n.Keys[i] = v.Key(t)
	}
	return n
}

// honorificKey lists variant keys that are prefixes whatever their spelling.
var honorificKey = map[string]bool{"mohammad": true, "mosammat": true}
