// Package reference serves Homeward's embedded reference data: administrative
// areas of the countries that have a pack (internal/country: Bangladesh,
// Pakistan, Iraq; OCHA p-codes), ISCO-08 occupations
// and ISO 3166 countries with names in English, Bangla, Arabic and Urdu. The
// files and their provenance (data/SOURCES.md) are copied from the project's
// shared data so that a clone needs nothing else. Data is parsed once, on first
// use, and is read-only afterwards, so every function is safe for concurrent use.
package reference

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"homeward"
	"homeward/internal/country"
)

//go:embed data/*.csv data/SOURCES.md
var files embed.FS

// AdminArea is one administrative area (division/province/governorate,
// district, upazila).
type AdminArea struct {
	Code       string            `json:"code"` // p-code, e.g. BD302602
	Country    string            `json:"country"`
	Level      string            `json:"level"`
	ParentCode string            `json:"parent_code,omitempty"`
	Names      map[string]string `json:"names"` // by language tag: en and the pack's languages (bn; ar, ckb; ur)
	AltName    string            `json:"alt_name,omitempty"`
	Note       string            `json:"note,omitempty"`
}

// Name returns the area's name in lang, falling back to the language of
// areaFallback, then to English.
func (a *AdminArea) Name(lang string) string {
	l := homeward.LangBase(lang)
	if n := a.Names[l]; n != "" {
		return n
	}
	if n := a.Names[areaFallback[l]]; n != "" {
		return n
	}
	return a.Names["en"]
}

// Country is an ISO 3166-1 country.
type Country struct {
	Alpha2   string            `json:"alpha2"`
	Alpha3   string            `json:"alpha3"`
	Numeric  string            `json:"numeric"`
	Names    map[string]string `json:"names"`
	Region   string            `json:"region,omitempty"`
	Dial     string            `json:"dial,omitempty"`
	Currency string            `json:"currency,omitempty"`
}

// Name returns the country's name in lang, falling back to English.
func (c *Country) Name(lang string) string { return pick(c.Names, lang) }

// Occupation is one ISCO-08 group.
type Occupation struct {
	Code       string `json:"code"`
	Level      string `json:"level"` // major, sub-major, minor, unit
	ParentCode string `json:"parent_code,omitempty"`
	Title      string `json:"title"`
}

func pick(names map[string]string, lang string) string {
	if n := names[homeward.LangBase(lang)]; n != "" {
		return n
	}
	return names["en"]
}

// areaFallback is the language whose name of an area a reader of another
// reads before the English one: a place in Iraq without a Sorani name is
// shown with its official Arabic name in Sorani (the same script, and the
// name Sorani sources themselves give many places outside the Kurdistan
// Region). Countries keep their English fallback: their Arabic names are
// not the ones Sorani uses.
var areaFallback = map[string]string{"ckb": "ar"}

type data struct {
	areas       map[string]*AdminArea
	areaList    []*AdminArea
	countries   map[string]*Country
	countryList []*Country
	occ         map[string]*Occupation
	occList     []*Occupation
}

var (
	once sync.Once
	d    *data
	err  error
)

func get() *data {
	once.Do(func() { d, err = load() })
	if err != nil {
		panic(err) // embedded data is checked by tests
	}
	return d
}

// Load parses the embedded data now (instead of on first use) and reports a
// broken file; the server calls it at start-up.
func Load() error {
	once.Do(func() { d, err = load() })
	return err
}

func readCSV(name string, fn func(rec map[string]string) error) error {
	b, err := files.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	return readCSVBytes(name, b, fn)
}

func readCSVBytes(name string, b []byte, fn func(rec map[string]string) error) error {
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("reference %s: %w", name, err)
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reference %s: %w", name, err)
		}
		rec := make(map[string]string, len(head))
		for i, h := range head {
			rec[h] = strings.TrimSpace(row[i])
		}
		if err := fn(rec); err != nil {
			return fmt.Errorf("reference %s: %w", name, err)
		}
	}
}

func load() (*data, error) {
	d := &data{areas: map[string]*AdminArea{}, countries: map[string]*Country{}, occ: map[string]*Occupation{}}
	// An area has a name in every language its pack's file has a name_
	// column for (the pack's checks allow only the pack's languages).
	addArea := func(countryCode string) func(map[string]string) error {
		return func(rec map[string]string) error {
			a := &AdminArea{Code: rec["code"], Country: countryCode, Level: rec["level"], ParentCode: rec["parent_code"],
				Names: map[string]string{"en": rec["name_en"]}, AltName: rec["name_en_alt"], Note: rec["note"]}
			for col, v := range rec {
				if l, ok := country.AreaNameColumn(col); ok && v != "" {
					a.Names[l] = v
				}
			}
			if _, dup := d.areas[a.Code]; dup {
				return fmt.Errorf("duplicate p-code %s", a.Code)
			}
			d.areas[a.Code] = a
			d.areaList = append(d.areaList, a)
			return nil
		}
	}
	for _, p := range country.All() {
		if err := readCSVBytes(strings.ToLower(p.Code)+"/"+p.Areas.File, p.AreaCSV(), addArea(p.Code)); err != nil {
			return nil, err
		}
	}
	if err := readCSV("countries.csv", func(rec map[string]string) error {
		c := &Country{Alpha2: rec["alpha2"], Alpha3: rec["alpha3"], Numeric: rec["numeric"], Region: rec["region"],
			Dial: rec["dial"], Currency: rec["currency"], Names: map[string]string{}}
		for _, l := range []string{"en", "bn", "ar", "ckb", "ur"} {
			if v := rec["name_"+l]; v != "" {
				c.Names[l] = v
			}
		}
		d.countries[c.Alpha2] = c
		d.countryList = append(d.countryList, c)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readCSV("isco08.csv", func(rec map[string]string) error {
		o := &Occupation{Code: rec["code"], Level: rec["level"], ParentCode: rec["parent_code"], Title: rec["title_en"]}
		d.occ[o.Code] = o
		d.occList = append(d.occList, o)
		return nil
	}); err != nil {
		return nil, err
	}
	sort.Slice(d.areaList, func(i, j int) bool { return d.areaList[i].Code < d.areaList[j].Code })
	sort.Slice(d.countryList, func(i, j int) bool { return d.countryList[i].Alpha2 < d.countryList[j].Alpha2 })
	sort.Slice(d.occList, func(i, j int) bool { return d.occList[i].Code < d.occList[j].Code })
	return d, nil
}

// Area returns the administrative area with p-code code, or nil.
func Area(code string) *AdminArea { return get().areas[strings.ToUpper(strings.TrimSpace(code))] }

// AreaIn reports whether area code lies within (or is) ancestor.
func AreaIn(code, ancestor string) bool {
	for a := Area(code); a != nil; a = Area(a.ParentCode) {
		if a.Code == ancestor {
			return true
		}
	}
	return false
}

// AreaPath returns the area and its ancestors, top level first.
func AreaPath(code string) []*AdminArea {
	var path []*AdminArea
	for a := Area(code); a != nil; a = Area(a.ParentCode) {
		path = append([]*AdminArea{a}, path...)
	}
	return path
}

// CountryByCode returns the country with ISO alpha-2 (or alpha-3) code, or nil.
func CountryByCode(code string) *Country {
	code = strings.ToUpper(strings.TrimSpace(code))
	if c := get().countries[code]; c != nil {
		return c
	}
	if len(code) == 3 {
		for _, c := range get().countryList {
			if c.Alpha3 == code {
				return c
			}
		}
	}
	return nil
}

// OccupationByCode returns the ISCO-08 group with code, or nil.
func OccupationByCode(code string) *Occupation { return get().occ[strings.TrimSpace(code)] }

// AreaFilter narrows SearchAreas.
type AreaFilter struct {
	Query   string // matches code prefix or any name (case-insensitive substring)
	Country string // ISO alpha-2
	Level   string
	Parent  string // p-code of the parent
	Limit   int
}

// SearchAreas returns areas matching f, ordered by code.
func SearchAreas(f AreaFilter) []*AdminArea {
	q := fold(f.Query)
	var out []*AdminArea
	for _, a := range get().areaList {
		if f.Country != "" && a.Country != strings.ToUpper(f.Country) || f.Level != "" && a.Level != f.Level ||
			f.Parent != "" && a.ParentCode != strings.ToUpper(f.Parent) {
			continue
		}
		if q != "" && !strings.HasPrefix(fold(a.Code), q) && !namesContain(a.Names, q) && !strings.Contains(fold(a.AltName), q) {
			continue
		}
		out = append(out, a)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out
}

// SearchCountries returns countries whose code or name (any language) matches q.
func SearchCountries(q string, limit int) []*Country {
	q = fold(q)
	var out []*Country
	for _, c := range get().countryList {
		if q == "" || fold(c.Alpha2) == q || fold(c.Alpha3) == q || namesContain(c.Names, q) {
			out = append(out, c)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// SearchOccupations returns ISCO groups whose code starts with q or whose title
// contains q; level narrows to one level when set.
func SearchOccupations(q, level string, limit int) []*Occupation {
	q = fold(q)
	var out []*Occupation
	for _, o := range get().occList {
		if level != "" && o.Level != level {
			continue
		}
		if q == "" || strings.HasPrefix(o.Code, q) || strings.Contains(fold(o.Title), q) {
			out = append(out, o)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

func namesContain(names map[string]string, q string) bool {
	for _, n := range names {
		if strings.Contains(fold(n), q) {
			return true
		}
	}
	return false
}

func fold(s string) string { return strings.ToLower(norm.NFC.String(strings.TrimSpace(s))) }

// Sources returns the provenance note of the embedded files.
func Sources() string {
	b, _ := files.ReadFile("data/SOURCES.md")
	return string(b)
}

// Checker implements homeward.ReferenceChecker over the embedded data.
type Checker struct{}

// CountryExists reports whether alpha2 is an ISO 3166-1 alpha-2 code.
func (Checker) CountryExists(alpha2 string) bool {
	return len(alpha2) == 2 && get().countries[strings.ToUpper(alpha2)] != nil
}

// AreaCountry returns the country of a p-code, or "".
func (Checker) AreaCountry(pcode string) string {
	if a := Area(pcode); a != nil {
		return a.Country
	}
	return ""
}
