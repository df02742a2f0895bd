// Package i18n holds Homeward's message catalogs and locale helpers. Every
// string a user sees goes through T. Catalogs are flat JSON files under
// locales/<lang>/, one file per capability so that capabilities can add their
// own messages without touching each other's files; all files of a language
// are merged at start-up.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
	"golang.org/x/text/number"

	"homeward"
)

//go:embed locales
var localesFS embed.FS

// Locale describes one supported language.
type Locale struct {
	Tag  string // BCP 47 tag: en, bn, ar, ur
	Name string // the language's name in itself
	RTL  bool
}

// Default is the fallback language: every key must exist in it.
const Default = "en"

var locales = []Locale{
	{Tag: "en", Name: "English"},
	{Tag: "bn", Name: "বাংলা"},
	{Tag: "ar", Name: "العربية", RTL: true},
	{Tag: "ckb", Name: "کوردی", RTL: true},
	{Tag: "ur", Name: "اردو", RTL: true},
}

var (
	loadOnce sync.Once
	catalogs map[string]map[string]string
	loadErr  error
)

func load() {
	catalogs = map[string]map[string]string{}
	loadErr = fs.WalkDir(localesFS, "locales", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		lang := path.Base(path.Dir(p))
		b, err := localesFS.ReadFile(p)
		if err != nil {
			return err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("i18n: %s: %w", p, err)
		}
		cat := catalogs[lang]
		if cat == nil {
			cat = map[string]string{}
			catalogs[lang] = cat
		}
		for k, v := range m {
			if _, dup := cat[k]; dup {
				return fmt.Errorf("i18n: %s: key %q defined twice", p, k)
			}
			cat[k] = v
		}
		return nil
	})
}

func catalog(lang string) map[string]string {
	loadOnce.Do(load)
	if loadErr != nil {
		panic(loadErr) // embedded files are checked by tests; a broken build must not start
	}
	return catalogs[Base(lang)]
}

// latnExt is the BCP 47 Unicode extension that asks for Latin digits.
const latnExt = "-u-nu-" + homeward.DigitsLatin

// Base returns the language of a locale tag without the digit choice
// ("ar-u-nu-latn" → "ar"): use it wherever a language is a key (names
// in several languages, a switch on the language). Everything in this
// package accepts either.
func Base(tag string) string { return homeward.LangBase(tag) }

// WithDigits returns the locale tag for a reader of lang whose digit
// preference is digits (homeward.User.Digits): lang itself for the
// language's own digits, lang+"-u-nu-latn" for Latin digits in a language
// that has its own. The tag is the localizer: T, Number, Digits and the
// date helpers given it render numbers in the chosen digits, and it is a
// valid BCP 47 tag for a page's lang attribute.
func WithDigits(lang, digits string) string {
	lang = Base(lang)
	if digits == homeward.DigitsLatin && digitSets[lang] != nil {
		return lang + latnExt
	}
	return lang
}

// LatinDigits reports whether the tag asks for Latin digits.
func LatinDigits(tag string) bool { return strings.HasSuffix(tag, latnExt) }

// Locales returns the supported locales in display order.
func Locales() []Locale { return append([]Locale(nil), locales...) }

// Supported reports whether tag is a supported locale.
func Supported(tag string) bool {
	if LatinDigits(tag) {
		tag = strings.TrimSuffix(tag, latnExt)
	}
	for _, l := range locales {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// Dir returns "rtl" for right-to-left locales and "ltr" otherwise.
func Dir(tag string) string {
	switch Base(tag) {
	case "ar", "ur", "fa", "ps", "ckb":
		return "rtl"
	}
	return "ltr"
}

// Match picks the best supported locale from an Accept-Language header value.
func Match(acceptLanguage string) string {
	type cand struct {
		tag string
		q   float64
	}
	var cs []cand
	for _, part := range strings.Split(acceptLanguage, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tag, q := part, 1.0
		if i := strings.Index(part, ";"); i >= 0 {
			tag = strings.TrimSpace(part[:i])
			var f float64
			if _, err := fmt.Sscanf(strings.TrimSpace(part[i+1:]), "q=%g", &f); err == nil {
				q = f
			}
		}
		base := strings.ToLower(strings.SplitN(tag, "-", 2)[0])
		cs = append(cs, cand{base, q})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].q > cs[j].q })
	for _, c := range cs {
		if Supported(c.tag) {
			return c.tag
		}
	}
	return Default
}

// Has reports whether key exists in the default catalog.
func Has(key string) bool {
	_, ok := catalog(Default)[key]
	return ok
}

// T returns the message for key in lang, falling back to English and then to
// the key itself. Placeholders {name} are replaced from args.
func T(lang, key string, args map[string]any) string {
	msg, ok := catalog(lang)[key]
	if !ok {
		msg, ok = catalog(Default)[key]
	}
	if !ok {
		return key
	}
	return Format(lang, msg, args)
}

// Format replaces {name} placeholders in msg with args, formatting numbers in
// the locale's digits.
func Format(lang, msg string, args map[string]any) string {
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			break
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			b.WriteString(msg)
			break
		}
		name := msg[i+1 : i+j]
		b.WriteString(msg[:i])
		if v, ok := args[name]; ok {
			switch v := v.(type) {
			case int, int64, float64:
				b.WriteString(Digits(lang, fmt.Sprint(v)))
			default:
				b.WriteString(fmt.Sprint(v))
			}
		} else {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
	return b.String()
}

var digitSets = map[string][]rune{
	"bn":  []rune("০১২৩৪৫৬৭৮৯"),
	"ar":  []rune("٠١٢٣٤٥٦٧٨٩"),
	"ckb": []rune("٠١٢٣٤٥٦٧٨٩"),
	"ur":  []rune("۰۱۲۳۴۵۶۷۸۹"),
}

// Number formats n (an integer or a float) for lang, with the locale's
// digits and grouping: 1,234,567 in English, ১২,৩৪,৫৬৭ in Bangla (lakh and
// crore grouping), ١٬٢٣٤٬٥٦٧ in Arabic. Counts and amounts use it; years,
// versions and identifiers use Digits, which does not group.
func Number(lang string, n any) string {
	switch n.(type) {
	case int, int64, int32, uint, uint64, float64, float32:
	default:
		return fmt.Sprint(n)
	}
	v, ok := printers.Load(lang)
	if !ok {
		tag, err := language.Parse(lang)
		if err != nil {
			tag = language.English
		}
		p := xmessage.NewPrinter(tag)
		v, _ = printers.LoadOrStore(lang, &numberPrinter{p: p, g: groupingOf(p)})
	}
	np := v.(*numberPrinter)
	// CLDR's default numbering for some locales (Urdu) is Latin; the
	// locale's own digits are the instance's choice, as Digits gives them.
	if np.g != nil {
		if s, ok := np.g.format(n); ok {
			return Digits(lang, s)
		}
	}
	return Digits(lang, np.p.Sprint(number.Decimal(n)))
}

// numberPrinter is a locale's number printer and the grouping read from
// it (nil when its form was not understood; see grouping).
type numberPrinter struct {
	p *xmessage.Printer
	g *grouping
}

// printers caches one numberPrinter per locale.
var printers sync.Map

// Digits rewrites ASCII digits in s with the locale's native digits,
// unless the tag asks for Latin digits (WithDigits).
func Digits(lang, s string) string {
	if LatinDigits(lang) {
		return s
	}
	set, ok := digitSets[Base(lang)]
	if !ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return set[r-'0']
		}
		return r
	}, s)
}

// Error returns the translated, user-safe message of err.
func Error(lang string, err error) string {
	e := homeward.AsError(err)
	if e == nil {
		return T(lang, "error.internal", nil)
	}
	return message(lang, e.Key, e.Message, e.Args)
}

// FieldMessage returns the translated message of one field error.
func FieldMessage(lang string, f homeward.FieldError) string {
	return message(lang, f.Key, f.Message, f.Args)
}

func message(lang, key, fallback string, args map[string]any) string {
	if key == "" || !Has(key) {
		return fallback
	}
	return T(lang, key, args)
}

// Keys returns every key of lang's catalog, sorted (for completeness tests).
func Keys(lang string) []string {
	var ks []string
	for k := range catalog(lang) {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// N returns the message for a count n: key+"."+the CLDR cardinal category
// of n in lang (PluralForm), with n among the arguments as {n}. A language
// without the form falls back as T does.
func N(lang, key string, n int, args map[string]any) string {
	a := map[string]any{"n": n}
	for k, v := range args {
		a[k] = v
	}
	return T(lang, key+"."+PluralForm(lang, n), a)
}

// PluralForm is the CLDR cardinal category of a whole number n in lang
// (CLDR 44 plural rules): English, Urdu and Sorani have "one" (1) and
// "other"; Bangla "one" (0 and 1) and "other"; Arabic "zero", "one",
// "two", "few" (n % 100 in 3..10), "many" (n % 100 in 11..99) and "other".
func PluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch Base(lang) {
	case "bn", "hi", "fa":
		if n == 0 || n == 1 {
			return "one"
		}
		return "other"
	case "ar":
		switch m := n % 100; {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case m >= 3 && m <= 10:
			return "few"
		case m >= 11 && m <= 99:
			return "many"
		}
		return "other"
	}
	if n == 1 {
		return "one"
	}
	return "other"
}

// PluralForms lists the CLDR cardinal categories lang uses for whole
// numbers, the suffixes its plural keys must carry.
func PluralForms(lang string) []string {
	switch Base(lang) {
	case "ar":
		return []string{"zero", "one", "two", "few", "many", "other"}
	}
	return []string{"one", "other"}
}
