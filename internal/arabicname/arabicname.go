// Package arabicname normalises personal names written in Arabic script
// (Arabic, Urdu, Central Kurdish / Sorani) so that the spellings of one name
// meet: the registry's search keys (internal/registry) and the duplicate
// matcher (internal/match) both fold names through it, so that a search and
// a duplicate check agree on what "the same name" is.
//
// The canonical form is the plain Arabic letter: every alef variant becomes
// ا, every yeh (Arabic ي, alif maqsura ى, Persian/Urdu ی, Pashto ې ۍ,
// Urdu ے, Sorani ێ, hamza-on-yeh ئ) becomes ي, every heh and ta marbuta
// (ة ہ ھ ە ۀ ۃ) becomes ه, Persian/Urdu ک becomes ك, ؤ and Sorani ۆ become
// و, Sorani ڕ ڵ become ر ل. Harakat (U+064B–U+065F), the superscript alef
// (U+0670), Quranic marks, tatweel and a standalone hamza ء are dropped.
// Arabic letters are chosen as the canonical form because the Arabic
// keyboard is the one all three communities can type.
package arabicname

import (
	"sort"
	"strings"
)

// FoldRune returns the canonical form of an Arabic-script rune, 0 when the
// rune is dropped (a vowel mark, tatweel, hamza), or r itself when nothing
// changes. Runes outside Arabic script are returned unchanged.
func FoldRune(r rune) rune {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r >= 0x06D6 && r <= 0x06ED:
		return 0 // harakat, hamza above/below, superscript alef, Quranic marks
	}
	switch r {
	case 'ـ', 'ء':
		return 0
	case 'آ', 'أ', 'إ', 'ٱ', 'ٲ', 'ٳ':
		return 'ا'
	case 'ى', 'ی', 'ې', 'ۍ', 'ے', 'ۓ', 'ئ', 'ێ':
		return 'ي'
	case 'ک', 'ڪ':
		return 'ك'
	case 'ة', 'ۀ', 'ھ', 'ہ', 'ۃ', 'ە':
		return 'ه'
	case 'ؤ', 'ۆ':
		return 'و'
	case 'ڕ':
		return 'ر'
	case 'ڵ':
		return 'ل'
	}
	return r
}

// IsArabicScript reports whether tok holds an Arabic-script letter.
func IsArabicScript(tok string) bool {
	for _, r := range tok {
		if r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0xFB50 && r <= 0xFEFF {
			return true
		}
	}
	return false
}

// article is the Arabic definite article once folded.
const article = "ال"

// articleWords begin with ال that is not the article: stripping it would
// make another name (الياس Ilyas, الهام Ilham) or nothing (الله).
var articleWords = map[string]bool{
	"الله": true, "الياس": true, "الهام": true, "الهه": true, "الفت": true, "الماس": true, "الوند": true,
}

// StripArticle returns a folded Arabic-script token without a leading
// definite article (الحسين → حسين), so that a name written with and
// without it gets one key. A token that is only the article, or whose rest
// would be a single letter, or that is listed in articleWords, is kept.
func StripArticle(tok string) string {
	rest, ok := strings.CutPrefix(tok, article)
	if !ok || articleWords[tok] || len([]rune(rest)) < 2 {
		return tok
	}
	return rest
}

// abd is the folded "servant of" that begins عبد الله, عبد الرحمن.
const abd = "عبد"

// latinAbd are Latin spellings of عبد written apart from the name after it
// ("Abd Allah", "Abdul Lah"); latinAllah are spellings of that name.
var (
	latinAbd   = map[string]bool{"abd": true, "abdul": true, "abdel": true, "abdal": true, "abdil": true}
	latinAllah = map[string]bool{"allah": true, "ullah": true, "illah": true, "ulla": true, "alla": true, "lah": true, "llah": true}
)

// latinArticle are Latin spellings of the article written as their own word
// ("al-Hussein" and "el Hassan" split into "al" "hussein").
var latinArticle = map[string]bool{"al": true, "el": true}

// JoinTokens applies the rules that span tokens to folded, lower-case name
// tokens, in order, and returns the result (it may reuse toks):
//
//   - the Arabic article written as its own word (ال), and Latin "al"/"el"
//     before another word, are dropped;
//   - عبد and the word after it become one word (عبد الله → عبدالله,
//     عبد الرحمن → عبدالرحمن), the article kept inside the compound as
//     عبدالله is spelt;
//   - Latin "Abd Allah", "Abdul Lah", "Abdel Allah" become "abdallah".
//
// A name that is nothing but an article is left alone.
func JoinTokens(toks []string) []string {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case t == article && next != "":
			continue
		case latinArticle[t] && next != "" && !latinArticle[next]:
			continue
		case t == abd && next != "" && IsArabicScript(next):
			if next == article && i+2 < len(toks) { // عبد ال رحمن
				next += toks[i+2]
				i++
			}
			out = append(out, abd+next)
			i++
			continue
		case latinAbd[t] && latinAllah[next]:
			out = append(out, "abdallah")
			i++
			continue
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return toks
	}
	return out
}

// Latin returns the Latin spelling under which a folded Arabic-script
// token is keyed ("محمد" → "muhammad"), after StripArticle, and whether the
// token is in the table. Callers map that spelling through their own
// variant table, so "محمد", "Mohammed" and "Muhammad" share one key.
func Latin(tok string) (string, bool) {
	l, ok := latin[tok]
	return l, ok
}

// LatinNames returns the Latin spellings of the table of common names
// (see Latin), sorted: names known to be different names, however alike
// their letters (Hasan and Hussain, Ali and Alia).
func LatinNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range latin {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// latin maps common names in folded Arabic script to a Latin spelling that
// both the registry's and the matcher's variant tables list. The table is
// curated for this project from the names in issue 21 and the demo worlds of
// Iraq and Pakistan (no external source): it holds given names common among
// Iraqi Arab and Kurdish and Pakistani returnees. Keys are folded (see
// FoldRune) and without the article.
var latin = func() map[string]string {
	m := map[string]string{}
	for l, ar := range map[string]string{
		"muhammad": "محمد", "ahmed": "احمد", "ali": "علي", "hussain": "حسين", "hasan": "حسن",
		"abdullah": "عبدالله", "fatima": "فاطمه", "zainab": "زينب", "omar": "عمر", "khalid": "خالد",
		"mustafa": "مصطفي", "ibrahim": "ابراهيم", "yusuf": "يوسف", "karim": "كريم", "aisha": "عايشه عاشه",
		"maryam": "مريم", "jafar": "جعفر", "mahmud": "محمود", "abbas": "عباس", "hamid": "حامد", "rahman": "رحمن",
		"kawa": "كاوه", "shwan": "شوان", "rebwar": "ريبوار", "hero": "هيرو",
		"imran": "عمران", "bilal": "بلال", "shahid": "شاهد", "nasrin": "نسرين", "alia": "عليا",
	} {
		for _, a := range strings.Fields(ar) {
			m[a] = l
		}
	}
	return m
}()
