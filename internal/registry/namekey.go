package registry

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameKey returns the search key of a name, which storage indexes so that
// search tolerates the usual differences in how one name is written:
//
//   - case and diacritics are folded ("Hossaín" → "hossain");
//   - punctuation becomes space ("Md.Abdul-Karim" → three tokens);
//   - leading honorifics and titles are dropped: Md, Mohd, Mst, Mosammat, Mrs,
//     Mr, Dr, Sheikh/Sk, Haji, Alhaj, Hafez and their Bangla forms (মোঃ, মোছাঃ …);
//     Mohammad and its spellings count as a leading honorific too, since "Md"
//     abbreviates it, unless it is the whole name;
//   - common transliteration variants meet on one spelling: mohammad, muhammad,
//     mohammed, mohamed … → "muhammad"; hossain, hussain, hosen … → "hussain";
//     rahman, rehman … → "rahman"; akter, akhter, aktar … → "akhtar"; and so on;
//   - in Arabic script, vowel marks and tatweel are dropped and the alef,
//     yeh, heh and kaf forms unified (Arabic and Urdu spellings meet).
//
// The result is the remaining tokens joined by single spaces, or "" when
// nothing is left. It is small and deterministic on purpose: the duplicate
// matcher (internal/match) does the fuzzy scoring.
func NameKey(name string) string {
	toks := nameTokens(name)
	// Drop leading honorifics, but never the last remaining token.
	for len(toks) > 1 && (honorifics[toks[0]] || toks[0] == "muhammad") {
		toks = toks[1:]
	}
	return strings.Join(toks, " ")
}

// NameKeys returns the distinct, non-empty search keys of everything a person
// may be searched by: the Latin name (given + family, and family + given),
// the native-script name, and each alias. Storage indexes each of them.
func NameKeys(p *Person) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if k := NameKey(s); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	// Each part is keyed alone first so that an honorific in the given name
	// ("Md Abdul") is dropped in both orders.
	g, f := NameKey(p.GivenName), NameKey(p.FamilyName)
	add(g + " " + f)
	if g != "" && f != "" {
		add(f + " " + g)
	}
	add(p.FullNameNative)
	for _, a := range p.Aliases {
		add(a)
	}
	sort.Strings(out)
	return out
}

func nameTokens(name string) []string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Bengali, r):
			// Diacritics and Arabic harakat go; Bangla vowel signs are letters' parts and stay.
		case r == 'ـ': // tatweel
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			b.WriteRune(foldRune(unicode.ToLower(r)))
		default:
			b.WriteByte(' ')
		}
	}
	toks := strings.Fields(norm.NFC.String(b.String()))
	for i, t := range toks {
		if v, ok := variants[t]; ok {
			toks[i] = v
		}
	}
	return toks
}

// foldRune unifies letter forms that differ between Arabic and Urdu
// spellings, and ß/ı-like Latin oddities.
func foldRune(r rune) rune {
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ى', 'ی', 'ې', 'ئ':
		return 'ي'
	case 'ة', 'ہ', 'ھ', 'ە':
		return 'ه'
	case 'ک':
		return 'ك'
	case 'ؤ':
		return 'و'
	case 'ı':
		return 'i'
	}
	return r
}

// honorifics are dropped from the start of a name.
var honorifics = map[string]bool{
	"md": true, "mohd": true, "mst": true, "most": true, "mosammat": true, "mosammet": true, "mosammot": true, "mossammat": true,
	"mrs": true, "mr": true, "ms": true, "miss": true, "dr": true, "sk": true, "sheikh": true, "shaikh": true, "haji": true, "hajee": true,
	"alhaj": true, "alhajj": true, "hafez": true, "hafiz": true, "maulana": true, "mawlana": true,
	"মোঃ": true, "মো": true, "মোহাম্মদ": true, "মুহাম্মদ": true, "মোছাঃ": true, "মোছা": true, "মোসাম্মৎ": true, "মোসাম্মত": true, "মোসাঃ": true,
	"শেখ": true, "হাজী": true, "আলহাজ": true, "ডাঃ": true, "ডা": true,
	"محمد": true, "حاجي": true, "الحاج": true, "شيخ": true, "الشيخ": true,
}

// variants maps spellings of one name to the key spelling.
var variants = func() map[string]string {
	m := map[string]string{}
	for key, vs := range map[string]string{
		"muhammad":  "mohammad mohammed mohamed mohamad muhammed mohammod mohammud muhamad muhammet mahammad mohamod mahmmad muhammod",
		"hussain":   "hossain hussein hosain husain hossen hosen hussen husen hossein hussin",
		"rahman":    "rahaman rehman rahmaan rohman",
		"rahim":     "raheem rohim",
		"karim":     "kareem korim",
		"ahmed":     "ahmad ahamed ahammed ahmmed ahamad",
		"akhtar":    "akter akhter aktar akhtar aktar akthar",
		"abdul":     "abdur abdus abdul abdel abd abdol",
		"abdullah":  "abdulla abdollah",
		"uddin":     "uddin udin uddeen",
		"islam":     "islam eslam",
		"chowdhury": "chowdhuri choudhury chaudhry chaudhary chowdhry choudhuri chowdury",
		"khatun":    "khatoon khatum",
		"begum":     "begom",
		"fatima":    "fatema fatema fatimah",
		"nasrin":    "nasreen",
		"yasmin":    "yasmeen jasmin jesmin",
		"ali":       "aly",
		"hasan":     "hassan",
		"mahmud":    "mahmood mahmod",
		"masud":     "masood",
		"mia":       "miah mian miya",
		"sultana":   "sultana",
		"shahid":    "shaheed",
		"zahid":     "jahid",
		"yusuf":     "yousuf yousef yusof",
		"ibrahim":   "ebrahim",
		"ismail":    "esmail",
		"mustafa":   "mostafa mustapha",
		"kamal":     "kamaal",
		"nur":       "noor",
		"aminul":    "aminul",
		"rafiq":     "rafique rofiq",
		"siddique":  "siddiqui siddiki siddik siddiq",
		"sharif":    "shareef",
		"sheikh":    "shaikh",
	} {
		for _, v := range strings.Fields(vs) {
			m[v] = key
		}
	}
	return m
}()
