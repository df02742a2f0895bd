package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/programme"
	"homeward/internal/reference"
	"homeward/internal/report"
	"homeward/internal/scoring"
)

// routesIndicator registers the indicator dashboard: every standard
// indicator for a period, as a chart and as a table, read from the
// precomputed aggregates.
func (w *Web) routesIndicator() {
	w.handle("GET /indicators", w.indicators, true)
	w.handle("GET /indicators/export.csv", w.indicatorExport, true)
	w.handle("GET /indicators/upazilas", w.indicatorUpazilas, true)
	w.handle("GET /indicators/districts", w.indicatorDistricts, true)
	w.handle("GET /indicators/districts.csv", w.indicatorDistrictsCSV, true)
}

type indicatorCard struct {
	Code, Title, Description, Unit string
	ComputedAt                     string
	Chart                          template.HTML
	Head                           []string // the table's by-columns
	Rows                           []indicatorRow
	Suppressed                     string // note, or ""
	Breakable                      bool   // the chosen breakdown applies
	NoDistrict                     bool   // a district is chosen and the indicator is not kept by district
	NoFilter                       bool   // an upazila or a programme is chosen and the indicator is not kept by it
}

// Body is the card's table rows. Written here rather than by the
// template: broken down by district a page has 25 tables of 64 rows, and
// the template's per-cell work was half the page's CPU.
func (c indicatorCard) Body() template.HTML {
	var b strings.Builder
	cell := func(class, s string) {
		b.WriteString("<td")
		b.WriteString(class)
		b.WriteString(">")
		b.WriteString(html.EscapeString(s))
		b.WriteString("</td>")
	}
	for _, r := range c.Rows {
		if r.Hidden {
			b.WriteString(`<tr class="muted">`)
		} else {
			b.WriteString("<tr>")
		}
		cell("", r.Period)
		for _, v := range r.By {
			cell("", v)
		}
		cell(` class="num"`, r.Value)
		cell(` class="num"`, r.Num)
		cell(` class="num"`, r.Den)
		b.WriteString("</tr>")
	}
	return template.HTML(b.String())
}

type indicatorRow struct {
	Period string
	By     []string
	Value  string
	Num    string
	Den    string
	Hidden bool
}

type indicatorPage struct {
	From, To, By string
	ByLabel      string
	ByOptions    []option
	// Org narrows the operator's watchers to one organisation; OrgOptions
	// are theirs to choose from (nil for everyone else).
	Org        string
	OrgOptions []option
	// District narrows every figure to one district, Upazila to one of
	// its upazilas (offered once a district is chosen), Programme to the
	// cases of one programme (by code).
	District         string
	Districts        []districtGroup
	Upazila          string
	Upazilas         []option
	Programme        string
	ProgrammeOptions []option
	Cards            []indicatorCard
}

// breakdowns are the disaggregations offered on the dashboard.
var breakdowns = []string{"sex", "age_group", "district", "upazila", "destination", "return_type", "programme", "service_type"}

// dashFilter is what the dashboard narrows its figures to.
type dashFilter struct{ District, Upazila, Programme string }

// drops reports whether the breakdown by is no breakdown under f: one
// district's (upazila's, programme's) figures are its totals, not broken
// down by it (a district's upazilas are).
func (f dashFilter) drops(by string) bool {
	return by == "district" && (f.District != "" || f.Upazila != "") || by == "upazila" && f.Upazila != "" || by == "programme" && f.Programme != ""
}

// readFilter reads and checks the dashboard's narrowing: a district's
// p-code, one of its upazilas, a programme code (any code: one no
// organisation uses has no figures); an area and a programme together
// leave no room for a breakdown (a figure is kept by two fields at most).
func readFilter(q interface{ Get(string) string }, by string) (dashFilter, error) {
	f := dashFilter{District: q.Get("district"), Upazila: q.Get("upazila"), Programme: strings.TrimSpace(q.Get("programme"))}
	if f.District != "" {
		if a := reference.Area(f.District); a == nil || a.Level != "district" {
			return f, badDistrict(f.District)
		}
	}
	if f.Upazila != "" {
		if a := reference.Area(f.Upazila); a == nil || a.Level != "upazila" || f.District == "" || !reference.AreaIn(f.Upazila, f.District) {
			e := homeward.FieldErrorf("upazila", "indicator.upazila", "%q is not an upazila of the chosen district.", f.Upazila)
			e.Args = map[string]any{"value": f.Upazila}
			return f, e
		}
	}
	if (f.District != "" || f.Upazila != "") && f.Programme != "" && by != "" && !f.drops(by) {
		return f, homeward.FieldErrorf("by", "indicator.by_narrowed", "A figure is kept by two fields at most: with a district, an upazila or a programme chosen, break it down by fewer fields.")
	}
	return f, nil
}

// indicatorUpazilas answers the district select's htmx request with the
// upazila select of the chosen district.
func (w *Web) indicatorUpazilas(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: a.OrgID}); err != nil {
		return err
	}
	p := w.newPage(r, "indicator.ui.title", nil)
	d := r.URL.Query().Get("district")
	p.Data = &indicatorPage{District: d, Upazilas: upazilaOptions(p.Lang, d)}
	return w.renderPart(rw, http.StatusOK, "indicators", "ind-upazila", p)
}

// programmeOptions lists the programme codes the reader may filter by
// (every organisation's for the operator's watchers, or org's), each
// code once.
func (w *Web) programmeOptions(r *http.Request, lang, org string) []option {
	out := []option{{"", i18n.T(lang, "indicator.ui.programme_all", nil)}}
	list, err := w.svc.Programmes.Programmes(r.Context(), programme.Filter{OrgID: org})
	if err != nil {
		return out
	}
	seen := map[string]bool{}
	for _, p := range list {
		if !seen[p.Code] {
			seen[p.Code] = true
			out = append(out, option{p.Code, p.Code + " — " + p.Name(lang)})
		}
	}
	return out
}

func (w *Web) indicators(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: a.OrgID}); err != nil {
		return err
	}
	p := w.newPage(r, "indicator.ui.title", nil)
	q := r.URL.Query()
	d := &indicatorPage{From: q.Get("from"), To: q.Get("to"), By: q.Get("by"), Org: q.Get("org"), District: q.Get("district"), Districts: districtOptions(p.Lang, w.country()),
		Upazila: q.Get("upazila"), Programme: q.Get("programme")}
	d.Upazilas = upazilaOptions(p.Lang, d.District)
	d.ProgrammeOptions = w.programmeOptions(r, p.Lang, d.Org)

	if a.Operator {
		d.OrgOptions = w.orgOptions(r, p.Lang)
	}
	d.ByOptions = append(d.ByOptions, option{"", i18n.T(p.Lang, "indicator.ui.by_none", nil)})
	for _, b := range breakdowns {
		d.ByOptions = append(d.ByOptions, option{b, i18n.T(p.Lang, "indicator.by."+b, nil)})
	}
	from, to, err := indicator.ParseRange(d.From, d.To, w.clock(r).Local())
	var filter dashFilter
	if err == nil {
		filter, err = readFilter(q, d.By)
	}
	if err != nil {
		if ferr := formErrors(p, err, nil); ferr != nil {
			return ferr
		}
		p.Data = d
		return w.render(rw, http.StatusBadRequest, "indicators", p)
	}
	d.From, d.To = string(from), string(to)
	if d.By != "" {
		d.ByLabel = i18n.T(p.Lang, "indicator.by."+d.By, nil)
	}
	if d.By != "" && !slices.Contains(breakdowns, d.By) {
		return homeward.FieldErrorf("by", "indicator.by_offered", "This breakdown is not offered.")
	}
	loc := w.clock(r).Location()
	defs, reqs := pageRequests(from, to, d.By, d.Org, filter)
	// Broken down, each figure is read over the whole period (a row per
	// district, upazila or programme, months summed): month by month it
	// was tens of thousands of table rows no one reads, and seconds to
	// write; the CSV download keeps the months.
	for i := range reqs {
		reqs[i].Query.Whole = len(reqs[i].Query.By) > 0
	}
	cards := make([]indicatorCard, len(defs))
	for i, def := range defs {
		card := indicatorCard{Code: def.Code, Title: def.Title(p.Lang), Description: def.Description[i18n.Base(p.Lang)], Unit: i18n.T(p.Lang, "indicator.unit."+string(def.Unit), nil), Breakable: true}
		if card.Description == "" {
			card.Description = def.Description["en"]
		}
		if d.By != "" {
			if len(reqs[i].Query.By) > 0 {
				card.Head = []string{i18n.T(p.Lang, "indicator.by."+d.By, nil)}
			} else {
				card.Breakable = false
			}
		}
		card.NoDistrict = d.District != "" && !slices.Contains(def.By, "district")
		card.NoFilter = d.Upazila != "" && !slices.Contains(def.By, "upazila") || d.Programme != "" && !slices.Contains(def.By, "programme")
		cards[i] = card
	}
	series, err := w.svc.Indicators.IndicatorPage(r.Context(), reqs)
	if err != nil {
		return err
	}
	for i, s := range series {
		def, card, by := defs[i], cards[i], reqs[i].Query.By
		if s.ComputedAt != nil {
			card.ComputedAt = i18n.T(p.Lang, "indicator.ui.computed_at", map[string]any{"at": timeText(p.Lang, loc, *s.ComputedAt)})
		}
		for _, row := range s.Rows {
			ir := indicatorRow{Period: i18n.Digits(p.Lang, row.Period), Hidden: row.Suppressed}
			for _, f := range by {
				ir.By = append(ir.By, report.ValueLabel(p.Lang, f, row.By[f]))
			}
			if row.Suppressed {
				ir.Value = i18n.T(p.Lang, "indicator.ui.suppressed", nil)
			} else {
				ir.Value = report.Figure(p.Lang, def.Unit, row.Value)
				ir.Num = report.Figure(p.Lang, indicator.Amount, row.Numerator)
				if def.Denominator != nil {
					ir.Den = report.Figure(p.Lang, indicator.Count, row.Denominator)
				}
			}
			card.Rows = append(card.Rows, ir)
		}
		if s.Suppressed > 0 {
			card.Suppressed = i18n.T(p.Lang, "indicator.ui.suppressed_note", map[string]any{"n": i18n.Number(p.Lang, s.Suppressed)})
		}
		if len(by) == 0 && len(s.Rows) > 0 {
			card.Chart = barChart(p.Lang, def, s, i18n.T(p.Lang, "indicator.ui.chart", map[string]any{"name": card.Title, "from": i18n.Digits(p.Lang, d.From), "to": i18n.Digits(p.Lang, d.To)}))
		}
		d.Cards = append(d.Cards, card)
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "indicators", p)
}

// orgOptions lists the organisations the operator's watchers may narrow
// the figures to, every organisation first.
func (w *Web) orgOptions(r *http.Request, lang string) []option {
	out := []option{{"", i18n.T(lang, "indicator.ui.org_all", nil)}}
	if list, _, err := w.svc.Orgs.FindOrganisations(r.Context(), homeward.OrganisationFilter{Limit: 500}); err == nil {
		for _, o := range list {
			out = append(out, option{o.ID, o.Name})
		}
	}
	return out
}

// badDistrict refuses a district filter that names no district.
func badDistrict(v string) error {
	e := homeward.FieldErrorf("district", "indicator.district", "%q is not a district's p-code.", v)
	e.Args = map[string]any{"value": v}
	return e
}

// pageRequests asks for every standard indicator over from..to, broken
// down by by where the indicator allows it, of one organisation when org
// is set (the storage refuses an organisation the reader may not see),
// narrowed to f.
func pageRequests(from, to indicator.Month, by, org string, f dashFilter) ([]*indicator.Definition, []indicator.Request) {
	defs := indicator.Standard()
	reqs := make([]indicator.Request, len(defs))
	for i, def := range defs {
		q := indicator.Query{From: from, To: to, OrgID: org, District: f.District, Programme: f.Programme}
		if f.Upazila != "" {
			q.District, q.Upazila = "", f.Upazila // the upazila is within the district
		}
		if by != "" && slices.Contains(def.By, by) && !f.drops(by) {
			q.By = []string{by}
		}
		reqs[i] = indicator.Request{Def: def, Query: q}
	}
	return defs, reqs
}

// indicatorExport downloads the dashboard's figures (the same period and
// breakdown) as one CSV table with HXL hashtags.
func (w *Web) indicatorExport(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: a.OrgID}); err != nil {
		return err
	}
	q := r.URL.Query()
	from, to, err := indicator.ParseRange(q.Get("from"), q.Get("to"), w.clock(r).Local())
	if err != nil {
		return err
	}
	by := q.Get("by")
	if by != "" && !slices.Contains(breakdowns, by) {
		return homeward.FieldErrorf("by", "indicator.by_offered", "This breakdown is not offered.")
	}
	filter, err := readFilter(q, by)
	if err != nil {
		return err
	}
	defs, reqs := pageRequests(from, to, by, q.Get("org"), filter)
	series, err := w.svc.Indicators.IndicatorPage(r.Context(), reqs)
	if err != nil {
		return err
	}
	lang := httpx.Locale(r)
	name := fmt.Sprintf("homeward-indicators-%s-%s.csv", from, to)
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return indicator.WriteHXL(rw, defs, series,
		func(c string) string { return i18n.T(lang, "indicator.column."+c, nil) },
		func(d *indicator.Definition) string { return d.Title(lang) })
}

// barChart draws the series' monthly values as bars, with an accessible
// title; the card's table carries the same figures for screen readers.
func barChart(lang string, d *indicator.Definition, s *indicator.Series, title string) template.HTML {
	const w, h, left, bottom, top = 640, 200, 56, 28, 12
	var max float64
	for _, r := range s.Rows {
		if r.Value != nil && *r.Value > max {
			max = *r.Value
		}
	}
	if d.Unit == indicator.Percent && max < 100 {
		max = 100
	}
	if max == 0 {
		max = 1
	}
	n := len(s.Rows)
	slot := float64(w-left-8) / float64(n)
	// The months run left to right; on a right-to-left page fx mirrors
	// every x (the first month on the right, the axis labels on the right).
	fx, _, end := scoring.Mirror(w, i18n.Dir(lang) == "rtl")
	var b strings.Builder
	id := "chart-" + d.Code
	fmt.Fprintf(&b, `<svg class="indicator-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title" direction="ltr"><title id="%s-title">%s</title>`, w, h, id, id, html.EscapeString(title))
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="axis"/>`, fx(left), h-bottom, fx(w-4), h-bottom)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="%s">%s</text>`, fx(left-6), top+4, end, html.EscapeString(report.Figure(lang, d.Unit, &max)))
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="%s">%s</text>`, fx(left-6), h-bottom, end, html.EscapeString(i18n.Digits(lang, "0")))
	for i, r := range s.Rows {
		x := float64(left) + float64(i)*slot + slot*0.15
		bw := slot * 0.7
		if r.Value != nil {
			bh := (*r.Value / max) * float64(h-bottom-top)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>%s: %s</title></rect>`,
				min(fx(x), fx(x+bw)), float64(h-bottom)-bh, bw, bh, html.EscapeString(i18n.Digits(lang, r.Period)), html.EscapeString(report.Figure(lang, d.Unit, r.Value)))
		}
		if n <= 12 || i%((n+11)/12) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, fx(x+bw/2), h-8, html.EscapeString(i18n.Digits(lang, r.Period)))
		}
	}
	// The trend: a least-squares line through the months with a value
	// (three at least), dashed over the bars, its slope in its title.
	var sn, sx, sy, sxx, sxy float64
	for i, r := range s.Rows {
		if r.Value != nil {
			x, y := float64(i), *r.Value
			sn, sx, sy, sxx, sxy = sn+1, sx+x, sy+y, sxx+x*x, sxy+x*y
		}
	}
	if den := sn*sxx - sx*sx; sn >= 3 && den != 0 {
		slope := (sn*sxy - sx*sy) / den
		icept := (sy - slope*sx) / sn
		at := func(i int) (float64, float64) {
			v := math.Max(0, math.Min(max, icept+slope*float64(i)))
			return float64(left) + (float64(i)+0.5)*slot, float64(h-bottom) - v/max*float64(h-bottom-top)
		}
		x1, y1 := at(0)
		x2, y2 := at(n - 1)
		sign := ""
		if slope > 0 {
			sign = "+"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="trend"><title>%s</title></line>`, fx(x1), y1, fx(x2), y2,
			html.EscapeString(i18n.T(lang, "indicator.ui.trend", map[string]any{"change": sign + report.Figure(lang, indicator.Mean, &slope)})))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}
