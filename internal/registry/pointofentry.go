package registry

import (
	"strings"
	"sync"

	"homeward/internal/country"
)

// PointOfEntry is an airport, land port or seaport where returnees arrive.
// Codes are the country's alpha-2 code and the IATA airport code or a short
// port name ("BD-DAC", "BD-BENAPOLE").
type PointOfEntry struct {
	Code    string            `json:"code"`
	Country string            `json:"country"`
	Kind    string            `json:"kind"` // airport, land_port, seaport
	Names   map[string]string `json:"names"`
}

// Name returns the name in lang, falling back to English.
func (p *PointOfEntry) Name(lang string) string {
	if n := p.Names[lang]; n != "" {
		return n
	}
	return p.Names["en"]
}

// pointsOfEntry lists the points of entry of every country pack
// (internal/country), in the packs' order.
var pointsOfEntry = sync.OnceValue(func() []PointOfEntry {
	var out []PointOfEntry
	for _, p := range country.All() {
		for _, pt := range p.PointsOfEntry {
			out = append(out, PointOfEntry{Code: pt.Code, Country: p.Code, Kind: pt.Kind, Names: pt.Names})
		}
	}
	return out
})

// PointsOfEntry returns the points of entry of country (ISO alpha-2), or all
// of them when country is "".
func PointsOfEntry(country string) []PointOfEntry {
	var out []PointOfEntry
	for _, p := range pointsOfEntry() {
		if country == "" || p.Country == strings.ToUpper(country) {
			out = append(out, p)
		}
	}
	return out
}

// PointOfEntryByCode returns the point of entry with code (case-insensitive),
// or nil.
func PointOfEntryByCode(code string) *PointOfEntry {
	code = strings.ToUpper(strings.TrimSpace(code))
	all := pointsOfEntry()
	for i := range all {
		if all[i].Code == code {
			return &all[i]
		}
	}
	return nil
}
