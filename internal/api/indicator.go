package api

import (
	"fmt"
	"net/http"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/reference"
)

func (a *API) routesIndicator() {
	a.handle("GET", "/api/v1/indicators", a.listIndicators)
	a.handle("GET", "/api/v1/indicators/{code}", a.getIndicator)
}

// indicatorInfo is a definition with when it was last computed.
type indicatorInfo struct {
	*indicator.Definition
	ComputedAt *time.Time `json:"computed_at"`
}

func (a *API) listIndicators(w http.ResponseWriter, r *http.Request) error {
	status, err := a.svc.Indicators.IndicatorStatus(r.Context())
	if err != nil {
		return err
	}
	out := []indicatorInfo{}
	for _, d := range indicator.Standard() {
		info := indicatorInfo{Definition: d}
		if at, ok := status[d.Code]; ok {
			info.ComputedAt = &at
		}
		out = append(out, info)
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// getIndicator returns an indicator's values: ?from=YYYY-MM&to=YYYY-MM
// (default the last 12 months), ?by=sex,district (at most two of the
// definition's disaggregations), ?org= (the operator's watchers: one
// organisation), ?district= (one district's figures, by its p-code),
// ?area= (one district's or one upazila's figures, by its p-code),
// ?programme= (the cases of one programme, by its code),
// ?format=csv (a CSV table with HXL hashtags instead of
// JSON).
func (a *API) getIndicator(w http.ResponseWriter, r *http.Request) error {
	d, err := indicator.Find(r.PathValue("code"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, to, err := indicator.ParseRange(q.Get("from"), q.Get("to"), a.clock(r).Local())
	if err != nil {
		return err
	}
	by, err := d.ParseBy(q.Get("by"))
	if err != nil {
		return err
	}
	district := q.Get("district")
	if district != "" && reference.Area(district) == nil {
		e := homeward.FieldErrorf("district", "indicator.district", "%q is not a district's p-code.", district)
		e.Args = map[string]any{"value": district}
		return e
	}
	dq := indicator.Query{From: from, To: to, By: by, OrgID: q.Get("org"), District: district, Programme: q.Get("programme")}
	if area := q.Get("area"); area != "" {
		ad, au, err := indicator.ParseArea(area)
		if err != nil {
			return err
		}
		if ad != "" && district != "" && ad != district || au != "" && district != "" && !reference.AreaIn(au, district) {
			return homeward.FieldErrorf("area", "indicator.area_district", "Give either an area or a district.")
		}
		if ad != "" {
			dq.District = ad
		}
		if au != "" {
			dq.District, dq.Upazila = "", au // the upazila is within its district
		}
	}
	s, err := a.svc.Indicators.IndicatorSeries(r.Context(), d, dq)
	if err != nil {
		return err
	}
	switch q.Get("format") {
	case "", "json":
		httpx.JSON(w, http.StatusOK, s)
		return nil
	case "csv":
		lang := httpx.Locale(r)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="homeward-%s-%s-%s.csv"`, d.Code, from, to))
		return indicator.WriteHXL(w, []*indicator.Definition{d}, []*indicator.Series{s},
			func(c string) string { return i18n.T(lang, "indicator.column."+c, nil) },
			func(d *indicator.Definition) string { return d.Title(lang) })
	default:
		return homeward.FieldErrorf("format", "indicator.format", "The format is json or csv (with HXL hashtags).")
	}
}
