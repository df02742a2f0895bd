package web

import (
	"regexp"
	"strings"
	"testing"

	"homeward/internal/country"
	"homeward/internal/indicator"
)

// tileClass returns the class of district code's tile on the map.
func tileClass(svg, code string) string {
	m := regexp.MustCompile(`class="([a-z0-9]+)" data-district="` + code + `"`).FindStringSubmatch(svg)
	if m == nil {
		return ""
	}
	return m[1]
}

// The tile map puts the smallest figure in the lightest class and the
// largest in the darkest, a suppressed figure and a district without one
// in their own classes, counts the districts it cannot place, and writes
// the legend in the reader's digits.
func TestDistrictMap(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	def := &indicator.Definition{Code: "registrations", Unit: indicator.Count}
	rows := []districtRow{
		{Code: "BD3026", Cells: []districtCell{{Text: "10", value: f(10)}}},                 // Dhaka
		{Code: "BD3029", Cells: []districtCell{{Text: "60", value: f(60)}}},                 // Faridpur
		{Code: "BD1004", Cells: []districtCell{{Text: "35", value: f(35)}}},                 // Barguna
		{Code: "BD2015", Cells: []districtCell{{Text: "fewer", Hidden: true, value: f(2)}}}, // Chittagong
		{Code: "XX9999", Cells: []districtCell{{Text: "99", value: f(99)}}},                 // not on the map
	}
	tiles := country.Lookup("BD").Tiles()
	m := newDistrictMap("en", def, "Map of districts: registrations", rows, 0, tiles)
	if m == nil {
		t.Fatal("no map")
	}
	svg := string(m.SVG)
	for code, want := range map[string]string{"BD3026": "q0", "BD3029": "q4", "BD1004": "q2", "BD2015": "hidden", "BD6091": "none"} {
		if got := tileClass(svg, code); got != want {
			t.Errorf("%s: class %q, want %q", code, got, want)
		}
	}
	if n := strings.Count(svg, "<rect "); n != 64 {
		t.Errorf("%d tiles, want 64", n)
	}
	if m.Unknown != 1 || strings.Contains(svg, "XX9999") || strings.Contains(svg, ">99<") {
		t.Errorf("the district without a tile: unknown %d", m.Unknown)
	}
	if !strings.Contains(svg, `<title>Dhaka: 10</title>`) || !strings.Contains(svg, `<title>Chittagong: fewer</title>`) {
		t.Errorf("tile titles: %.600s", svg)
	}
	if len(m.Legend) != 7 || m.Legend[0].Label != "10 to 20" || m.Legend[4].Label != "50 to 60" {
		t.Errorf("legend %+v", m.Legend)
	}
	bn := newDistrictMap("bn", def, "x", rows, 0, tiles)
	if got := bn.Legend[0].Label; got != "১০ থেকে ২০" {
		t.Errorf("Bangla legend %q", got)
	}
	// One figure alone (or all equal): one class, its own label.
	one := newDistrictMap("en", def, "x", rows[:1], 0, tiles)
	if len(one.Legend) != 3 || one.Legend[0].Label != "10" || tileClass(string(one.SVG), "BD3026") != "q4" {
		t.Errorf("a single figure: %+v", one.Legend)
	}
	// Nothing to show, or no tiles: no map.
	if newDistrictMap("en", def, "x", rows[3:4], 0, tiles) != nil || newDistrictMap("en", def, "x", rows, 0, nil) != nil {
		t.Error("a map without a figure or without tiles")
	}
}
