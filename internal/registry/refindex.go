package registry

import (
	"strings"
	"sync"

	"homeward/internal/reference"
)

// refIndex holds lookups over the reference data that the reference package
// does not offer: dialling codes, currencies, and countries and districts by
// name. It is built once on first use and read-only afterwards.
type refIndex struct {
	dial       map[string]bool
	currencies map[string]bool
	countries  map[string]*reference.Country // by folded name in any language, alpha-2, alpha-3
	areas      map[string][]*reference.AdminArea
}

var (
	refOnce sync.Once
	ref     refIndex
)

func refs() *refIndex {
	refOnce.Do(func() {
		ref = refIndex{dial: map[string]bool{}, currencies: map[string]bool{}, countries: map[string]*reference.Country{}, areas: map[string][]*reference.AdminArea{}}
		for _, c := range reference.SearchCountries("", 0) {
			for _, d := range strings.Split(c.Dial, ",") {
				if d = strings.ReplaceAll(strings.TrimSpace(d), "-", ""); d != "" {
					ref.dial[d] = true
				}
			}
			for _, cur := range strings.Split(c.Currency, ",") {
				if cur = strings.TrimSpace(cur); cur != "" {
					ref.currencies[cur] = true
				}
			}
			for _, n := range c.Names {
				ref.countries[foldKey(n)] = c
			}
		}
		for alias, code := range countryAliases {
			ref.countries[foldKey(alias)] = reference.CountryByCode(code)
		}
		// Districts and upazilas by name: a name shared by two areas is ambiguous and
		// LookupArea says so instead of guessing.
		for _, lvl := range []string{"district", "governorate", "upazila"} {
			for _, a := range reference.SearchAreas(reference.AreaFilter{Level: lvl}) {
				seen := map[string]bool{}
				for _, n := range append(mapValues(a.Names), a.AltName) {
					k := lvl + "|" + foldKey(n)
					if n == "" || seen[k] {
						continue
					}
					seen[k] = true
					ref.areas[k] = append(ref.areas[k], a)
				}
			}
		}
	})
	return &ref
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// countryAliases are English names people write that differ from the
// reference names.
var countryAliases = map[string]string{
	"KSA": "SA", "Saudi": "SA", "Kingdom of Saudi Arabia": "SA", "UAE": "AE", "U.A.E.": "AE", "U.A.E": "AE", "Emirates": "AE",
	"Dubai": "AE", "Abu Dhabi": "AE", "Sharjah": "AE", "UK": "GB", "United Kingdom": "GB", "England": "GB", "Britain": "GB",
	"USA": "US", "U.S.A.": "US", "America": "US", "United States": "US", "Korea": "KR", "South Korea": "KR",
	"Russia": "RU", "Iran": "IR", "Syria": "SY", "Libya": "LY", "Brunei": "BN", "Vietnam": "VN", "Turkey": "TR",
	"Türkiye": "TR", "Turkiye": "TR", "Macau": "MO", "Macao": "MO", "Hong Kong": "HK",
}

// foldKey lower-cases s, drops punctuation and collapses spaces, so that
// "Cox's Bazar", "coxs bazar" and " COXS  BAZAR" meet.
func foldKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r == '\'' || r == '’' || r == '.' || r == '`':
		case r == ' ' || r == '-' || r == '_' || r == ',' || r == '&':
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func dialSet() map[string]bool { return refs().dial }

// ValidCurrency reports whether code is an ISO 4217 currency of some country.
func ValidCurrency(code string) bool { return refs().currencies[code] }

// LookupCountry finds a country by ISO alpha-2 or alpha-3 code or by its name
// in English, Bangla, Arabic or Urdu (and a few common English variants such
// as "KSA" or "UAE"). It returns nil when nothing matches.
func LookupCountry(s string) *reference.Country {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if len(s) == 2 || len(s) == 3 {
		if c := reference.CountryByCode(s); c != nil {
			return c
		}
	}
	return refs().countries[foldKey(s)]
}

// LookupArea finds an administrative area by p-code, or by the name of a
// district (or Iraqi governorate) or, failing that, an upazila. It returns the
// candidates when a name is ambiguous (several areas), so that the caller can
// report them; exactly one result means a match.
func LookupArea(s string) []*reference.AdminArea {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if a := reference.Area(s); a != nil {
		return []*reference.AdminArea{a}
	}
	k := foldKey(s)
	for _, suffix := range []string{" district", " zila", " zilla", " জেলা"} {
		k = strings.TrimSuffix(k, suffix)
	}
	for _, lvl := range []string{"district", "governorate", "upazila"} {
		if as := refs().areas[lvl+"|"+k]; len(as) > 0 {
			return as
		}
	}
	return nil
}
