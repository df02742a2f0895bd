package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/report"
)

// The M&E analyst's page by district: every indicator kept by district,
// over a whole period, one row a district (its name in the reader's
// language), sortable by the district or by any indicator, and the same
// figures as a CSV table with HXL hashtags. The figures are those the
// dashboard lets the reader see (their organisation's; every
// organisation's, or one, for the operator's watchers), read from the
// aggregates, small cells suppressed over the whole period.

type districtColumn struct {
	Code, Title, Unit string
	SortURL           string
	Sort              string // "ascending", "descending" or "" (aria-sort)
}

type districtRow struct {
	Code, Name string
	Cells      []districtCell
}

type districtCell struct {
	Text   string
	Hidden bool // suppressed
	value  *float64
}

type districtPage struct {
	From, To, Org, Programme string
	Sort, Dir                string
	OrgOptions               []option
	ProgrammeOptions         []option
	District                 districtColumn
	Columns                  []districtColumn
	Rows                     []districtRow
	Caption, ComputedAt      string
	CSV                      string
	Map                      *districtMap
}

// districtQuery reads and checks the page's period, organisation,
// programme and order.
func districtQuery(r *http.Request, w *Web) (from, to indicator.Month, org, programme, sort, dir string, err error) {
	q := r.URL.Query()
	from, to, err = indicator.ParseRange(q.Get("from"), q.Get("to"), w.clock(r).Local())
	org, programme, sort, dir = q.Get("org"), strings.TrimSpace(q.Get("programme")), q.Get("sort"), q.Get("dir")
	if sort == "" {
		sort = "district"
	}
	if dir != "desc" {
		dir = "asc"
	}
	if sort != "district" && !slices.ContainsFunc(districtDefs(), func(d *indicator.Definition) bool { return d.Code == sort }) {
		sort = "district"
	}
	return
}

// districtDefs are the standard indicators kept by district.
func districtDefs() []*indicator.Definition {
	var out []*indicator.Definition
	for _, d := range indicator.Standard() {
		if slices.Contains(d.By, "district") {
			out = append(out, d)
		}
	}
	return out
}

// districtSeries reads every indicator kept by district over the whole
// period, through the same service and rule as the dashboard.
func (w *Web) districtSeries(r *http.Request, from, to indicator.Month, org, programme string) ([]*indicator.Definition, []*indicator.Series, error) {
	defs := districtDefs()
	reqs := make([]indicator.Request, len(defs))
	for i, d := range defs {
		reqs[i] = indicator.Request{Def: d, Query: indicator.Query{From: from, To: to, OrgID: org, Programme: programme, By: []string{"district"}, Whole: true}}
	}
	series, err := w.svc.Indicators.IndicatorPage(r.Context(), reqs)
	return defs, series, err
}

func (w *Web) indicatorDistricts(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: a.OrgID}); err != nil {
		return err
	}
	p := w.newPage(r, "indicator.district.title", nil)
	from, to, org, programme, sort, dir, err := districtQuery(r, w)
	q := r.URL.Query()
	d := &districtPage{From: q.Get("from"), To: q.Get("to"), Org: org, Programme: programme, Sort: sort, Dir: dir}
	d.ProgrammeOptions = w.programmeOptions(r, p.Lang, org)
	if a.Operator {
		d.OrgOptions = w.orgOptions(r, p.Lang)
	}
	if err != nil {
		if ferr := formErrors(p, err, nil); ferr != nil {
			return ferr
		}
		p.Data = d
		return w.render(rw, http.StatusBadRequest, "indicators_district", p)
	}
	d.From, d.To = string(from), string(to)
	defs, series, err := w.districtSeries(r, from, to, org, programme)
	if err != nil {
		return err
	}
	link := func(col string) string {
		// The sorted column turns round; another starts with the
		// district names from A and the figures from the largest.
		next := "asc"
		if col == sort && dir == "asc" || col != sort && col != "district" {
			next = "desc"
		}
		v := url.Values{"from": {d.From}, "to": {d.To}, "sort": {col}, "dir": {next}}
		if org != "" {
			v.Set("org", org)
		}
		if programme != "" {
			v.Set("programme", programme)
		}
		return "/indicators/districts?" + v.Encode()
	}
	ariaSort := func(col string) string {
		if col != sort {
			return ""
		}
		if dir == "desc" {
			return "descending"
		}
		return "ascending"
	}
	d.District = districtColumn{Code: "district", Title: i18n.T(p.Lang, "indicator.by.district", nil), SortURL: link("district"), Sort: ariaSort("district")}
	rows := map[string]*districtRow{}
	sortIndex := -1
	for i, s := range series {
		def := defs[i]
		d.Columns = append(d.Columns, districtColumn{Code: def.Code, Title: def.Title(p.Lang), Unit: i18n.T(p.Lang, "indicator.unit."+string(def.Unit), nil),
			SortURL: link(def.Code), Sort: ariaSort(def.Code)})
		if def.Code == sort {
			sortIndex = i
		}
		if s.ComputedAt != nil && d.ComputedAt == "" {
			d.ComputedAt = i18n.T(p.Lang, "indicator.ui.computed_at", map[string]any{"at": timeText(p.Lang, w.clock(r).Location(), *s.ComputedAt)})
		}
		for _, row := range s.Rows {
			code := row.By["district"]
			dr := rows[code]
			if dr == nil {
				dr = &districtRow{Code: code, Name: report.ValueLabel(p.Lang, "district", code), Cells: make([]districtCell, len(defs))}
				rows[code] = dr
			}
			c := districtCell{Hidden: row.Suppressed, value: row.Value}
			if row.Suppressed {
				c.Text = i18n.T(p.Lang, "indicator.ui.suppressed", nil)
			} else {
				c.Text = report.Figure(p.Lang, def.Unit, row.Value)
			}
			dr.Cells[i] = c
		}
	}
	for _, dr := range rows {
		d.Rows = append(d.Rows, *dr)
	}
	sortDistrictRows(d.Rows, sortIndex, dir == "desc")
	if pk := country.Lookup(w.country()); pk != nil && len(defs) > 0 {
		// The map shows the indicator the table is sorted by, else the first.
		col := max(sortIndex, 0)
		title := i18n.T(p.Lang, "indicator.map.title", map[string]any{"indicator": defs[col].Title(p.Lang)})
		d.Map = newDistrictMap(p.Lang, defs[col], title, d.Rows, col, pk.Tiles())
	}
	d.Caption = i18n.T(p.Lang, "indicator.district.caption", map[string]any{"from": i18n.Digits(p.Lang, d.From), "to": i18n.Digits(p.Lang, d.To)})
	v := url.Values{"from": {d.From}, "to": {d.To}}
	if org != "" {
		v.Set("org", org)
	}
	if programme != "" {
		v.Set("programme", programme)
	}
	d.CSV = "/indicators/districts.csv?" + v.Encode()
	p.Data = d
	return w.render(rw, http.StatusOK, "indicators_district", p)
}

// sortDistrictRows orders the rows by the name of the district (col < 0)
// or by the figure in column col, rows without a figure (suppressed or
// none) last whichever the direction; ties by name.
func sortDistrictRows(rows []districtRow, col int, desc bool) {
	slices.SortStableFunc(rows, func(x, y districtRow) int {
		if col >= 0 {
			vx, vy := x.Cells[col].value, y.Cells[col].value
			switch {
			case vx == nil && vy != nil:
				return 1
			case vx != nil && vy == nil:
				return -1
			case vx != nil && *vx != *vy:
				if desc {
					return cmp.Compare(*vy, *vx)
				}
				return cmp.Compare(*vx, *vy)
			}
			return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Code, y.Code))
		}
		c := cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Code, y.Code))
		if desc {
			return -c
		}
		return c
	})
}

// indicatorDistrictsCSV downloads the page's figures as one CSV table
// with HXL hashtags (the dashboard's export, one row per indicator and
// district, the period as one).
func (w *Web) indicatorDistrictsCSV(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: a.OrgID}); err != nil {
		return err
	}
	from, to, org, programme, _, _, err := districtQuery(r, w)
	if err != nil {
		return err
	}
	defs, series, err := w.districtSeries(r, from, to, org, programme)
	if err != nil {
		return err
	}
	lang := httpx.Locale(r)
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="homeward-indicators-by-district-%s-%s.csv"`, from, to))
	return indicator.WriteHXL(rw, defs, series,
		func(c string) string { return i18n.T(lang, "indicator.column."+c, nil) },
		func(d *indicator.Definition) string { return d.Title(lang) })
}
