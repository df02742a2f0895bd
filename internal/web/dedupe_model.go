package web

import (
	"fmt"
	"net/http"

	"homeward/internal/dedupe"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/match"
)

// dupModelRow is one comparison level in the model report.
type dupModelRow struct {
	Field, What, M, U, Weight, Strength string
	Bounded, First                      bool
}

type dupModelData struct {
	Report              *dedupe.ModelReport
	Rows                []dupModelRow
	Match, Possible     string
	Reasons             []string
	MatchesPerRecord    string
	HouseholdsPerRecord string
}

// dupModel shows the weights of the organisation's active duplicate model
// and the thresholds calibrated from its decisions.
func (w *Web) dupModel(rw http.ResponseWriter, r *http.Request) error {
	lang := httpx.Locale(r)
	rep, err := w.svc.Dedupe.ModelReport(r.Context())
	if err != nil {
		return err
	}
	pct := func(x float64) string {
		switch {
		case x < 0.0001:
			return i18n.Digits(lang, "<0.01%")
		case x < 0.01:
			return i18n.Digits(lang, fmt.Sprintf("%.2f%%", 100*x))
		}
		return i18n.Digits(lang, fmt.Sprintf("%.0f%%", 100*x))
	}
	d := dupModelData{Report: rep, Match: dupPercent(lang, rep.Calibration.MatchThreshold), Possible: dupPercent(lang, rep.Calibration.PossibleThreshold),
		MatchesPerRecord:    i18n.Digits(lang, fmt.Sprintf("%.3f", rep.Model.MatchesPerRecord)),
		HouseholdsPerRecord: i18n.Digits(lang, fmt.Sprintf("%.3f", rep.Model.HouseholdPerRecord))}
	last := match.Field(255)
	for _, l := range rep.Levels {
		fe := match.FieldExplanation{Field: l.Field, Kind: l.Kind, Weight: l.Weight}
		d.Rows = append(d.Rows, dupModelRow{Field: match.FieldName(lang, l.Field), What: fe.What(lang), M: pct(l.M), U: pct(l.U),
			Weight: i18n.Digits(lang, fmt.Sprintf("%+.1f", l.Weight)), Strength: fe.Strength(lang), Bounded: l.Bounded, First: l.Field != last})
		last = l.Field
	}
	for _, k := range rep.Calibration.Reasons {
		d.Reasons = append(d.Reasons, i18n.T(lang, k, nil))
	}
	return w.render(rw, http.StatusOK, "dedupe_model", w.newPage(r, "dedupe_model.title", d))
}
