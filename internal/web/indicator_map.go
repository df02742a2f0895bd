package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strings"

	"homeward/internal/country"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/report"
)

// The tile map of districts: one square a district, placed by the country
// pack's tiles file (after the districts' headquarters, north up), filled
// by the class of one indicator's figure. No boundaries with a licence we
// may ship were found, so the map keeps the country's shape without
// claiming its borders. The page's table carries the same figures for
// screen readers; the legend is HTML so that it follows the reading
// direction, while the map itself is never mirrored (east stays east).

// mapClasses is the number of classes of figures, each a shade of blue
// (ColorBrewer's sequential "Blues", light to dark).
const mapClasses = 5

// districtMap is the tile map of one indicator on the page by district.
type districtMap struct {
	SVG     template.HTML
	Title   string
	Legend  []mapLegend
	Unknown int // districts with figures but no tile
}

type mapLegend struct {
	Class, Label string
}

// newDistrictMap draws column col of rows on tiles; nil when the country
// has no tiles or no district has a figure to show.
func newDistrictMap(lang string, def *indicator.Definition, title string, rows []districtRow, col int, tiles map[string]country.Tile) *districtMap {
	if len(tiles) == 0 {
		return nil
	}
	byCode := map[string]*districtRow{}
	lo, hi := math.Inf(1), math.Inf(-1)
	unknown := 0
	for i := range rows {
		r := &rows[i]
		if _, ok := tiles[r.Code]; !ok {
			unknown++
			continue
		}
		byCode[r.Code] = r
		if v := r.Cells[col].value; v != nil && !r.Cells[col].Hidden {
			lo, hi = math.Min(lo, *v), math.Max(hi, *v)
		}
	}
	if math.IsInf(lo, 1) {
		return nil
	}
	class := func(v float64) int {
		if hi == lo {
			return mapClasses - 1
		}
		return min(int((v-lo)/(hi-lo)*mapClasses), mapClasses-1)
	}
	const size, gap, pad = 34, 3, 2
	var rowsN, colsN int
	codes := make([]string, 0, len(tiles))
	for code, t := range tiles {
		rowsN, colsN = max(rowsN, t.Row+1), max(colsN, t.Col+1)
		codes = append(codes, code)
	}
	slices.Sort(codes) // the same SVG for the same figures
	m := &districtMap{Title: title, Unknown: unknown}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="district-map" viewBox="0 0 %d %d" role="img" aria-labelledby="district-map-title" direction="ltr"><title id="district-map-title">%s</title>`,
		colsN*(size+gap)+2*pad, rowsN*(size+gap)+2*pad, html.EscapeString(title))
	for _, code := range codes {
		t := tiles[code]
		name, figure, cls := report.ValueLabel(lang, "district", code), i18n.T(lang, "indicator.map.none", nil), "none"
		if r := byCode[code]; r != nil {
			c := r.Cells[col]
			switch {
			case c.Hidden:
				figure, cls = c.Text, "hidden"
			case c.value != nil:
				figure, cls = c.Text, fmt.Sprintf("q%d", class(*c.value))
			}
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="3" class="%s" data-district="%s"><title>%s: %s</title></rect>`,
			pad+t.Col*(size+gap), pad+t.Row*(size+gap), size, size, cls, code, html.EscapeString(name), html.EscapeString(figure))
	}
	b.WriteString(`</svg>`)
	m.SVG = template.HTML(b.String()) // every text above is escaped
	// The legend: each class's range, then the tiles without a figure.
	for q := range mapClasses {
		from, to := lo+(hi-lo)*float64(q)/mapClasses, lo+(hi-lo)*float64(q+1)/mapClasses
		if hi == lo {
			if q < mapClasses-1 {
				continue
			}
			from = lo
		}
		label := i18n.T(lang, "indicator.map.range", map[string]any{"from": report.Figure(lang, def.Unit, &from), "to": report.Figure(lang, def.Unit, &to)})
		if hi == lo {
			label = report.Figure(lang, def.Unit, &lo)
		}
		m.Legend = append(m.Legend, mapLegend{Class: fmt.Sprintf("q%d", q), Label: label})
	}
	m.Legend = append(m.Legend,
		mapLegend{Class: "hidden", Label: i18n.T(lang, "indicator.map.hidden", nil)},
		mapLegend{Class: "none", Label: i18n.T(lang, "indicator.map.none", nil)})
	return m
}
