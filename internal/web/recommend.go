package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/recommend"
	"homeward/internal/referral"
	"homeward/internal/suggest"
)

// routesRecommend registers the service suggestions: the choice a case
// worker records beside them on the plan page, and the model pages
// (versions, model card, fairness report, training, upload, activation).
func (w *Web) routesRecommend() {
	w.handle("POST /plans/{id}/suggestions", w.planChoose, true)
	w.handle("GET /recommend", w.recModels, true)
	w.handle("GET /recommend/{id}", w.recModel, true)
	w.handle("GET /recommend/{id}/fairness.csv", w.recFairnessCSV, true)
	w.handle("GET /recommend/{id}/model.json", w.recModelJSON, true)
	w.handle("POST /recommend/train", w.recTrain, true)
	w.handle("POST /recommend/upload", w.recUpload, true)
	w.handle("POST /recommend/{id}/activate", w.recActivate, true)
	w.handle("POST /recommend/{id}/retire", w.recRetire, true)
	w.flash("recommend.ui.chosen", "recommend.ui.trained", "recommend.ui.uploaded", "recommend.ui.activated", "recommend.ui.retired")
}

// suggestView is the suggestions panel of a plan page.
type suggestView struct {
	// Consent is false when the returnee has not agreed to automated
	// suggestions or withdrew the agreement (their opt-out): nothing is
	// ranked then.
	Consent bool
	// Model is the active model's version; empty when the rules rank.
	Model   string
	ModelID string
	Rows    []suggestRow
	// Missing lists what the record lacks (the estimate rests on less).
	Missing []string
	// Unavailable lists the services no provider near the person offers
	// with places, or whose eligibility the person does not meet.
	Unavailable []string
	// suggested is the ranking as shown, recorded with the choice.
	suggested []recommend.Suggestion
	offers    map[string]referral.Offer
}

// suggestRow is one ranked service.
type suggestRow struct {
	Service, Name, Gain, Band, Provider, Places, Rule string
	Rank                                              int
	Reasons                                           []string
	InPlan, ByRule                                    bool
}

// maxModelBytes bounds an uploaded model.
const maxModelBytes = 8 << 20

// loadModel parses a stored model version, once per version.
func (w *Web) loadModel(s *recommend.Stored) (*recommend.Model, error) {
	return w.models.Load(s)
}

// suggestions ranks the services for the plan's person (internal/suggest)
// and words the ranking for the panel. It returns nil when the user may
// not see suggestions.
func (w *Web) suggestions(r *http.Request, lng string, pl *referral.Plan) (*suggestView, error) {
	rk, err := suggest.Rank(r.Context(), w.svc, &w.models, pl, w.clock(r).Time())
	if err != nil || rk == nil {
		return nil, err
	}
	v := &suggestView{Consent: rk.Consent, Model: rk.Model, ModelID: rk.ModelID, offers: rk.Offers, suggested: rk.Suggested}
	if !rk.Consent {
		return v, nil
	}
	for _, f := range rk.Missing {
		v.Missing = append(v.Missing, i18n.T(lng, "recommend.feature."+f, nil))
	}
	for _, s := range rk.Unavailable {
		v.Unavailable = append(v.Unavailable, i18n.T(lng, "recommend.service."+s, nil))
	}
	names, _ := w.serviceNames(r, lng)
	planned := map[string]bool{}
	for _, s := range pl.Services {
		planned[recommend.ServiceOf(s.ServiceType)] = true
	}
	for _, s := range rk.Suggested {
		o := rk.Offers[s.Service]
		row := suggestRow{Service: s.Service, Name: i18n.T(lng, "recommend.service."+s.Service, nil), Rank: s.Rank, InPlan: planned[s.Service],
			ByRule: s.Rule, Provider: o.OrgName}
		if sexes := rk.Rules[s.Service]; len(sexes) > 0 {
			var who []string
			for _, x := range sexes {
				who = append(who, label(lng, "registry.sex", string(x)))
			}
			row.Rule = i18n.T(lng, "recommend.ui.programme_rule", map[string]any{"who": strings.Join(who, ", ")})
		}
		if t := nameOr(names, o.ServiceType); t != "" && t != o.ServiceType {
			row.Provider = o.OrgName + " — " + t
		}
		if o.PlacesLeft != nil {
			row.Places = i18n.T(lng, "recommend.ui.places", map[string]any{"n": *o.PlacesLeft})
		}
		if s.Rule {
			row.Gain = i18n.T(lng, "recommend.ui.priority", map[string]any{"n": points(lng, s.Gain)})
		} else {
			row.Gain = i18n.T(lng, "recommend.ui.gain", map[string]any{"n": signedPoints(lng, s.Gain)})
			row.Band = i18n.T(lng, "recommend.ui.band", map[string]any{"low": signedPoints(lng, s.Low), "high": signedPoints(lng, s.High)})
		}
		for _, re := range s.Reasons {
			row.Reasons = append(row.Reasons, i18n.T(lng, re.Key, nil))
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

// points shows a score change (0–1 scale) as points out of 100.
func points(lng string, x float64) string {
	return i18n.Digits(lng, strconv.FormatFloat(math.Round(100*x*10)/10, 'f', -1, 64))
}

func signedPoints(lng string, x float64) string {
	if x > 0 {
		return "+" + points(lng, x)
	}
	return points(lng, x)
}

// planChoose records the case worker's choice beside the suggestions: the
// chosen service is added to the plan (with the offer's provider), or
// none when they chose otherwise; the ranking shown, whether the choice
// followed it and the reason are recorded.
func (w *Web) planChoose(rw http.ResponseWriter, r *http.Request) error {
	service := r.PostFormValue("service")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	return w.planPost(rw, r, "recommend.ui.chosen", func(pl *referral.Plan, version int) error {
		c, err := suggest.Choose(r.Context(), w.svc, &w.models, pl, version, service, reason, w.clock(r).Time())
		if err == nil && c == nil {
			err = homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
		}
		return err
	}, nil)
}

// ---- model pages ----

type recModelRow struct {
	ID, Version, Source, Created, Activated, Status, Choices string
	Active, CanActivate                                      bool
}

type recModelsData struct {
	Rows                  []recModelRow
	CanTrain, CanActivate bool
	Active, From, To      string
	Tolerance             string // percentage points, as typed
	MinCases              int
}

// recModels lists the organisation's model versions and offers training
// from its own history and uploading a model trained elsewhere.
func (w *Web) recModels(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "recommend.ui.models", nil)
	d, err := w.recModelsData(r, p.Lang)
	if err != nil {
		return err
	}
	d.Tolerance = strconv.FormatFloat(recommend.DefaultTolerance*100, 'f', -1, 64)
	p.Data = d
	return w.render(rw, http.StatusOK, "recommend_models", p)
}

func (w *Web) recModelsData(r *http.Request, lng string) (*recModelsData, error) {
	ctx := r.Context()
	a := homeward.ActorFromContext(ctx)
	models, err := w.svc.Recommend.Models(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := w.svc.Recommend.ChoiceStats(ctx)
	if err != nil {
		return nil, err
	}
	loc := w.clock(r).Location()
	users := w.userNames(r)
	d := &recModelsData{CanTrain: homeward.Can(a, homeward.ActRecommendTrain, homeward.Resource{OrgID: a.OrgID}),
		CanActivate: homeward.Can(a, homeward.ActRecommendActivate, homeward.Resource{OrgID: a.OrgID}), MinCases: recommend.MinCases}
	for _, m := range models {
		w.addNames(r, users, m.CreatedBy, m.ActivatedBy)
		row := recModelRow{ID: m.ID, Version: m.Version, Source: i18n.T(lng, "recommend.source."+m.Source, nil), Active: m.Active(),
			Created: i18n.T(lng, "recommend.ui.by_at", map[string]any{"by": users[m.CreatedBy], "at": timeText(lng, loc, m.CreatedAt)})}
		if m.ActivatedAt != nil {
			row.Activated = i18n.T(lng, "recommend.ui.by_at", map[string]any{"by": users[m.ActivatedBy], "at": timeText(lng, loc, *m.ActivatedAt)})
		}
		switch {
		case m.Active():
			row.Status, d.Active = i18n.T(lng, "recommend.status.active", nil), m.Version
		case m.RetiredAt != nil:
			row.Status = i18n.T(lng, "recommend.status.retired", nil)
		default:
			row.Status = i18n.T(lng, "recommend.status.stored", nil)
			row.CanActivate = d.CanActivate && m.CreatedBy != a.UserID
		}
		if n := stats[m.Version]; n[0] > 0 {
			row.Choices = i18n.T(lng, "recommend.ui.followed", map[string]any{"n": n[0], "followed": n[1]})
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// recPost runs a model write and returns to the list, or shows the list
// with the refusal.
func (w *Web) recPost(rw http.ResponseWriter, r *http.Request, to func(id string) string, write func() (string, string, error)) error {
	id, ok, err := write()
	if err == nil {
		http.Redirect(rw, r, to(id)+"?ok="+ok, http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "recommend.ui.models", nil)
	status, rerr := refusal(p, err, nil)
	if rerr != nil {
		return rerr
	}
	d, derr := w.recModelsData(r, p.Lang)
	if derr != nil {
		return derr
	}
	d.From, d.To, d.Tolerance = r.PostFormValue("from"), r.PostFormValue("to"), r.PostFormValue("tolerance")
	p.Data = d
	return w.render(rw, status, "recommend_models", p)
}

func toModel(id string) string { return "/recommend/" + id }

// recTrain fits a model on the organisation's pseudonymised history and
// stores it (not active).
func (w *Web) recTrain(rw http.ResponseWriter, r *http.Request) error {
	return w.recPost(rw, r, toModel, func() (string, string, error) {
		from, to := strings.TrimSpace(r.PostFormValue("from")), strings.TrimSpace(r.PostFormValue("to"))
		for field, m := range map[string]string{"from": from, "to": to} {
			if m != "" && !validMonth(m) {
				return "", "", homeward.FieldErrorf(field, "recommend.train.month", "Give a month as YYYY-MM.")
			}
		}
		tolerance, err := formTolerance(r.PostFormValue("tolerance"))
		if err != nil {
			return "", "", err
		}
		cases, err := w.svc.Recommend.RecommendHistory(r.Context(), from, to)
		if err != nil {
			return "", "", err
		}
		if len(cases) < recommend.MinCases {
			e := homeward.Errorf(homeward.ECONFLICT, "recommend.train.too_few", "Only %d past cases have a 12-month follow-up; a model needs at least %d. The rules suggest until then.", len(cases), recommend.MinCases)
			e.Args = map[string]any{"n": len(cases), "min": recommend.MinCases}
			return "", "", e
		}
		m, err := recommend.Train(cases, recommend.Options{Now: w.clock(r).Time(), From: from, To: to, Seed: 1, FairnessTolerance: tolerance})
		if err != nil {
			return "", "", homeward.Errorf(homeward.ECONFLICT, "recommend.train.failed", "The model could not be trained: %v", err)
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return "", "", err
		}
		s, err := w.svc.Recommend.SaveModel(r.Context(), recommend.SourceTrained, m.Version, raw)
		if err != nil {
			return "", "", err
		}
		return s.ID, "recommend.ui.trained", nil
	})
}

// formTolerance reads the training form's fairness tolerance, in
// percentage points (Latin or Bangla digits; empty: the default), as a
// share.
func formTolerance(v string) (float64, error) {
	v = strings.TrimSpace(homeward.ASCIIDigits(v))
	if v == "" {
		return recommend.DefaultTolerance, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x <= 0 || recommend.CheckTolerance(x/100) != nil {
		e := homeward.FieldErrorf("tolerance", "recommend.train.tolerance", "Give the tolerance in percentage points: more than 0 and at most %g.", recommend.MaxTolerance*100)
		e.Args = map[string]any{"max": int(recommend.MaxTolerance * 100)}
		return 0, e
	}
	return x / 100, nil
}

func validMonth(s string) bool {
	if len(s) != 7 || s[4] != '-' {
		return false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	return err1 == nil && err2 == nil && y >= 1900 && m >= 1 && m <= 12
}

// recUpload stores a model trained elsewhere (homeward recommend train),
// checked whole before anything is kept.
func (w *Web) recUpload(rw http.ResponseWriter, r *http.Request) error {
	return w.recPost(rw, r, toModel, func() (string, string, error) {
		a := homeward.ActorFromContext(r.Context())
		if err := homeward.Authorize(a, homeward.ActRecommendTrain, homeward.Resource{Type: "recommend_model", OrgID: a.OrgID}); err != nil {
			return "", "", err
		}
		r.Body = http.MaxBytesReader(rw, r.Body, maxModelBytes+64<<10)
		f, _, err := r.FormFile("model")
		if err != nil {
			return "", "", homeward.FieldErrorf("model", "recommend.upload.file", "Choose a model file (JSON, at most 8 MB).")
		}
		defer f.Close()
		raw, err := io.ReadAll(io.LimitReader(f, maxModelBytes+1))
		if err != nil || len(raw) > maxModelBytes {
			return "", "", homeward.FieldErrorf("model", "recommend.upload.file", "Choose a model file (JSON, at most 8 MB).")
		}
		m, err := recommend.LoadModel(bytes.NewReader(raw))
		if err != nil {
			return "", "", homeward.FieldErrorf("model", "recommend.upload.invalid", "This is not a model Homeward can use: %v", err)
		}
		s, err := w.svc.Recommend.SaveModel(r.Context(), recommend.SourceUploaded, m.Version, raw)
		if err != nil {
			return "", "", err
		}
		return s.ID, "recommend.ui.uploaded", nil
	})
}

func (w *Web) recActivate(rw http.ResponseWriter, r *http.Request) error {
	return w.recPost(rw, r, toModel, func() (string, string, error) {
		id, err := pathUUID(r)
		if err != nil {
			return "", "", err
		}
		_, err = w.svc.Recommend.ActivateModel(r.Context(), id)
		return id, "recommend.ui.activated", err
	})
}

func (w *Web) recRetire(rw http.ResponseWriter, r *http.Request) error {
	return w.recPost(rw, r, toModel, func() (string, string, error) {
		id, err := pathUUID(r)
		if err != nil {
			return "", "", err
		}
		return id, "recommend.ui.retired", w.svc.Recommend.RetireModel(r.Context(), id)
	})
}

// recCardData is the model card page.
type recCardData struct {
	Stored                  *recommend.Stored
	Model                   *recommend.Model
	Status, Created, Period string
	Treated                 []recTreated
	Features, Protected     []string
	Fallback                []string
	Values                  []recTreated
	Limits                  []string
	Groups                  []recGroup
	Warnings                []string
	Tolerance               string // the audit's, in percentage points
	CanActivate, CanRetire  bool
}

type recTreated struct{ Name, Value string }

type recGroup struct {
	Dimension, Value, People, Gain string
	First                          []recTreated
	Warn                           bool
}

// recModel shows a version's model card and fairness report.
func (w *Web) recModel(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	s, err := w.svc.Recommend.FindModel(r.Context(), id)
	if err != nil {
		return err
	}
	m, err := w.loadModel(s)
	if err != nil {
		return err
	}
	p := w.newPage(r, "recommend.ui.card", nil)
	lng := p.Lang
	a := homeward.ActorFromContext(r.Context())
	users := w.userNames(r)
	w.addNames(r, users, s.CreatedBy)
	c := m.Card
	d := &recCardData{Stored: s, Model: m, Created: i18n.T(lng, "recommend.ui.by_at", map[string]any{"by": users[s.CreatedBy], "at": timeText(lng, w.clock(r).Location(), s.CreatedAt)})}
	canAct := homeward.Can(a, homeward.ActRecommendActivate, homeward.Resource{OrgID: a.OrgID})
	switch {
	case s.Active():
		d.Status, d.CanRetire = i18n.T(lng, "recommend.status.active", nil), canAct
	case s.RetiredAt != nil:
		d.Status = i18n.T(lng, "recommend.status.retired", nil)
	default:
		d.Status, d.CanActivate = i18n.T(lng, "recommend.status.stored", nil), canAct && s.CreatedBy != a.UserID
	}
	d.Period = i18n.T(lng, "recommend.ui.period", map[string]any{"from": orDash(c.DataFrom), "to": orDash(c.DataTo), "n": c.Cases})
	for _, sv := range recommend.Services {
		d.Treated = append(d.Treated, recTreated{i18n.T(lng, "recommend.service."+sv, nil), i18n.Number(lng, c.Treated[sv])})
	}
	for _, f := range c.Features {
		d.Features = append(d.Features, i18n.T(lng, "recommend.feature."+recommend.FeatureSource(f), nil))
	}
	d.Features = slices.Compact(d.Features)
	for _, f := range c.Protected {
		d.Protected = append(d.Protected, i18n.T(lng, "recommend.feature."+f, nil))
	}
	for _, f := range c.Fallback {
		d.Fallback = append(d.Fallback, i18n.T(lng, "recommend.service."+f, nil))
	}
	for _, k := range []string{"model", "rules", "usual"} {
		if x, ok := c.Validation.PolicyValue[k]; ok {
			d.Values = append(d.Values, recTreated{i18n.T(lng, "recommend.policy."+k, nil), signedPoints(lng, x)})
		}
	}
	for _, k := range c.Limits {
		d.Limits = append(d.Limits, i18n.T(lng, k, nil))
	}
	if f := c.Fairness; f != nil {
		d.Tolerance = i18n.Digits(lng, strconv.FormatFloat(math.Round(f.Tolerance*1000)/10, 'f', -1, 64))
		warned := map[string]bool{}
		for _, wr := range f.Warnings {
			warned[wr.Dimension+"="+wr.Value] = true
			d.Warnings = append(d.Warnings, i18n.T(lng, wr.Key, map[string]any{"group": groupLabel(lng, wr.Dimension, wr.Value),
				"service": i18n.T(lng, "recommend.service."+wr.Service, nil), "got": signedPoints(lng, wr.Got), "overall": signedPoints(lng, wr.Overall)}))
		}
		for _, g := range f.Groups {
			row := recGroup{Dimension: i18n.T(lng, "recommend.dimension."+g.Dimension, nil), Value: groupLabel(lng, g.Dimension, g.Value),
				People: i18n.Number(lng, g.People), Gain: signedPoints(lng, g.MeanTopGain), Warn: warned[g.Dimension+"="+g.Value]}
			for _, sv := range recommend.Services {
				row.First = append(row.First, recTreated{i18n.T(lng, "recommend.service."+sv, nil),
					i18n.T(lng, "recommend.ui.rate_need", map[string]any{"rate": pct(lng, g.SuggestedFirst[sv]), "need": pct(lng, g.Need[sv])})})
			}
			d.Groups = append(d.Groups, row)
		}
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "recommend_model", p)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func pct(lng string, x float64) string {
	return i18n.Digits(lng, fmt.Sprintf("%.0f%%", 100*x))
}

// groupLabel names an audit group in the reader's language.
func groupLabel(lng, dimension, value string) string {
	switch dimension {
	case "sex":
		return label(lng, "registry.sex", value)
	case "all":
		return i18n.T(lng, "recommend.dimension.all", nil)
	}
	return i18n.Digits(lng, value)
}

// recFairnessCSV downloads a version's fairness report.
func (w *Web) recFairnessCSV(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	s, err := w.svc.Recommend.FindModel(r.Context(), id)
	if err != nil {
		return err
	}
	m, err := w.loadModel(s)
	if err != nil {
		return err
	}
	if m.Card.Fairness == nil {
		return homeward.Errorf(homeward.ENOTFOUND, "recommend.fairness.none", "This model version has no fairness report.")
	}
	var buf bytes.Buffer
	if err := m.Card.Fairness.WriteCSV(&buf); err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="fairness-`+safeName(s.Version)+`.csv"`)
	_, err = rw.Write(buf.Bytes())
	return err
}

// recModelJSON downloads a version's model as stored.
func (w *Web) recModelJSON(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	s, err := w.svc.Recommend.FindModel(r.Context(), id)
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Content-Disposition", `attachment; filename="model-`+safeName(s.Version)+`.json"`)
	_, err = rw.Write(s.Raw)
	return err
}

// safeName keeps letters, digits, dots and dashes of a file name part.
func safeName(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c
		}
		return '_'
	}, s)
}
