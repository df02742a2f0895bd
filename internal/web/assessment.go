package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/form"
	"homeward/internal/i18n"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// routesAssessment registers the assessment pages: the hub with follow-up
// tasks, filling forms (skip logic live with htmx), a person's assessments
// and score chart, and the form and scoring-scheme catalogue.
func (w *Web) routesAssessment() {
	w.handle("GET /assessments", w.assessHub, true)
	w.handle("GET /assessments/tasks", w.assessTasksFragment, true)
	w.handle("GET /assessments/forms", w.assessForms, true)
	w.upload("POST /assessments/forms", w.assessFormUpload, form.MaxXLSFormSize+uploadSlack, func(a *homeward.Actor) error {
		return homeward.Authorize(a, homeward.ActFormManage, homeward.Resource{Type: "form"})
	})
	w.handle("GET /assessments/forms/{form}", w.assessFormView, true)
	w.upload("POST /assessments/schemes", w.assessSchemeUpload, scoring.MaxSchemeSize+uploadSlack, func(a *homeward.Actor) error {
		return homeward.Authorize(a, homeward.ActSchemeManage, homeward.Resource{Type: "scheme"})
	})
	w.handle("GET /assessments/schemes/{scheme}/{version}", w.assessSchemeView, true)
	w.handle("POST /assessments/schemes/{scheme}/{version}/activate", w.assessSchemeActivate, true)
	w.handle("POST /assessments/schemes/{scheme}/calibrate", w.assessSchemeCalibrate, true)
	w.handle("GET /people/{id}/assessments", w.assessPerson, true)
	w.handle("GET /people/{id}/assessments/panel", w.assessPanel, true)
	w.handle("POST /people/{id}/assessments", w.assessStart, true)
	w.handle("GET /people/{id}/scores", w.assessScores, true)
	w.handle("GET /assessments/{id}", w.assessFill, true)
	w.handle("POST /assessments/{id}", w.assessSave, true)
	w.handle("POST /assessments/{id}/live", w.assessLive, true)
	w.handle("POST /assessments/{id}/discard", w.assessDiscard, true)
	w.flash("ui_a.draft.discarded", "assessment.ui.form.saved", "assessment.ui.draft.saved", "assessment.ui.completed", "assessment.ui.scheme.saved", "assessment.ui.scheme.activated")
	// The home page's follow-up card is a partial of ours, included by name.
	if home := w.pages["home"]; home != nil {
		if b, err := templateFS.ReadFile("templates/assessment_home.html"); err == nil {
			template.Must(home.Parse(string(b)))
		}
	}
}

var assessNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$`)

func pathUUID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return "", notFound()
	}
	return id, nil
}

func pathSlug(r *http.Request, key string) (string, error) {
	s := r.PathValue(key)
	if !assessNameRE.MatchString(s) {
		return "", notFound()
	}
	return s, nil
}

// ---- shared view helpers ----

func scoreText(lang string, x *float64) string {
	if x == nil {
		return i18n.T(lang, "assessment.score.none", nil)
	}
	return i18n.Digits(lang, fmt.Sprintf("%.2f", *x))
}

// roundLabel names a survey round in lang: the survey's own choice label
// when the round is one of its choices.
func roundLabel(lang, round string) string {
	if round == "" {
		return ""
	}
	if f := form.Builtin(assessment.SurveyFormID); f != nil {
		if q := f.Question("round"); q != nil {
			return f.ChoiceLabel(q, round, lang)
		}
	}
	return round
}

type flagView struct {
	Name, Label, Severity, SeverityText string
}

func flagViews(lang string, flags []form.Flag) []flagView {
	out := make([]flagView, 0, len(flags))
	for _, f := range flags {
		out = append(out, flagView{Name: f.Name, Label: f.Label.Get(lang, "en"), Severity: f.Severity, SeverityText: i18n.T(lang, "assessment.flag."+f.Severity, nil)})
	}
	return out
}

type followUpView struct {
	Months      int
	Due         string
	Status      string
	StatusText  string
	Task        bool
	DoneAt      string
	OverdueFrom string
}

func followUpViews(lang string, fus []scoring.FollowUp) []followUpView {
	out := make([]followUpView, 0, len(fus))
	for _, f := range fus {
		v := followUpView{Months: f.Months, Due: isoText(lang, f.Due.Format(time.DateOnly)), Status: string(f.Status),
			StatusText: i18n.T(lang, "assessment.followup."+string(f.Status), nil), Task: f.IsTask()}
		if f.DoneAt != nil {
			v.DoneAt = isoText(lang, f.DoneAt.Format(time.DateOnly))
		}
		out = append(out, v)
	}
	return out
}

type taskView struct {
	PersonID, CaseNumber, Name, Text, Status, StatusText string
	Overdue                                              bool
}

func taskViews(lang string, tasks []assessment.Task) []taskView {
	out := make([]taskView, 0, len(tasks))
	for _, t := range tasks {
		v := taskView{PersonID: t.PersonID, CaseNumber: t.CaseNumber, Name: t.Name, Overdue: t.Overdue()}
		if t.FollowUp != nil {
			v.Text = i18n.T(lang, "assessment.followup.task", map[string]any{"months": t.FollowUp.Months, "date": isoText(lang, t.FollowUp.Due.Format(time.DateOnly))})
			v.Status, v.StatusText = string(t.FollowUp.Status), i18n.T(lang, "assessment.followup."+string(t.FollowUp.Status), nil)
		} else {
			v.Text = i18n.T(lang, "assessment.ui.task.baseline", nil)
			v.Status, v.StatusText = "due", i18n.T(lang, "assessment.followup.due", nil)
		}
		out = append(out, v)
	}
	return out
}

// renderFragment executes one named template of a page without the layout.
func (w *Web) renderFragment(rw http.ResponseWriter, page, name string, data any) error {
	t, ok := w.pages[page]
	if !ok {
		return fmt.Errorf("no template %s", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := rw.Write(buf.Bytes())
	return err
}

// ---- hub and tasks ----

type hubData struct {
	Tasks    []taskView
	Query    string
	People   []registry.Summary
	Searched bool
}

func (w *Web) assessHub(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.hub.title", nil)
	d := hubData{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if p.Can(string(homeward.ActAssessmentRead)) {
		tasks, err := w.svc.Assessment.FollowUpTasks(r.Context(), assessment.TaskFilter{Limit: 200})
		if err != nil {
			return err
		}
		d.Tasks = taskViews(p.Lang, tasks)
		if d.Query != "" && w.svc.Registry != nil {
			people, _, err := w.svc.Registry.Search(r.Context(), registry.SearchFilter{Query: d.Query, Limit: 20})
			if err != nil {
				return err
			}
			d.People, d.Searched = people, true
		}
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_hub", p)
}

func (w *Web) assessTasksFragment(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.hub.title", nil)
	if !p.Can(string(homeward.ActAssessmentRead)) {
		return w.renderFragment(rw, "assessment_hub", "assessment_tasks", p)
	}
	tasks, err := w.svc.Assessment.FollowUpTasks(r.Context(), assessment.TaskFilter{Limit: 10})
	if err != nil {
		return err
	}
	p.Data = hubData{Tasks: taskViews(p.Lang, tasks)}
	return w.renderFragment(rw, "assessment_hub", "assessment_tasks", p)
}

// ---- person: assessments, scores, panel ----

type personAssessData struct {
	PersonID   string
	Name       string
	CaseNumber string
	Flags      []flagView
	FollowUps  []followUpView
	Latest     *scoreRow
	Drafts     []submissionRow
	Completed  []submissionRow
	Forms      []formRow
	ReturnDate string
	CanWrite   bool
}

type submissionRow struct {
	ID, Title, Version, AnsweredOn, Round, Updated string
	Flags                                          int
	Score                                          *scoreRow
	Rev                                            int    // the submission's version, for a discard
	Window                                         string // a follow-up taken out of its window: the warning
}

type scoreRow struct {
	Date, Round, Scheme                       string
	Economic, Social, Psychosocial, Composite string
}

type formRow struct {
	ID, Title, Version, Source string
	Used                       bool
}

func scoreRowOf(lang string, p assessment.ScorePoint) *scoreRow {
	return &scoreRow{Date: isoText(lang, p.AnsweredOn), Round: roundLabel(lang, p.Round), Scheme: p.SchemeID + " " + p.SchemeVersion,
		Economic: scoreText(lang, p.Dimensions["economic"]), Social: scoreText(lang, p.Dimensions["social"]),
		Psychosocial: scoreText(lang, p.Dimensions["psychosocial"]), Composite: scoreText(lang, p.Composite)}
}

func (w *Web) personHeader(r *http.Request, personID string) (name, caseNumber string) {
	if w.svc.Registry == nil {
		return "", ""
	}
	rec, err := w.svc.Registry.FindRecord(r.Context(), personID)
	if err != nil {
		return "", ""
	}
	name = strings.TrimSpace(rec.Person.GivenName + " " + rec.Person.FamilyName)
	if rec.Case != nil {
		caseNumber = rec.Case.Number
	}
	return name, caseNumber
}

func (w *Web) personAssessData(r *http.Request, lang, personID string, withForms bool) (*personAssessData, error) {
	ov, err := w.svc.Assessment.PersonOverview(r.Context(), personID)
	if err != nil {
		return nil, err
	}
	d := &personAssessData{PersonID: personID, Flags: flagViews(lang, ov.Flags), FollowUps: followUpViews(lang, ov.FollowUps), ReturnDate: isoText(lang, ov.ReturnDate)}
	d.Name, d.CaseNumber = w.personHeader(r, personID)
	a := homeward.ActorFromContext(r.Context())
	d.CanWrite = homeward.Can(a, homeward.ActAssessmentWrite, homeward.Resource{OrgID: a.OrgID})
	if n := len(ov.Scores); n > 0 {
		d.Latest = scoreRowOf(lang, ov.Scores[n-1])
	}
	titles := map[string]string{}
	if withForms {
		forms, err := w.svc.Assessment.ListForms(r.Context())
		if err != nil {
			return nil, err
		}
		for _, f := range forms {
			t := f.Title.Get(lang, "en")
			titles[f.FormID] = t
			d.Forms = append(d.Forms, formRow{ID: f.FormID, Title: t, Version: f.Version})
		}
	}
	for _, s := range ov.Submissions {
		title := titles[s.FormID]
		if title == "" {
			title = s.FormID
			if f := form.Builtin(s.FormID); f != nil {
				title = f.Title.Get(lang, "en")
			}
		}
		row := submissionRow{ID: s.ID, Title: title, Version: s.FormVersion, AnsweredOn: isoText(lang, s.AnsweredOn),
			Round: roundLabel(lang, s.Round), Updated: isoText(lang, s.UpdatedAt.Format(time.DateOnly)), Flags: len(s.Flags), Rev: s.Version,
			Window: windowWarning(lang, s)}
		if s.Score != nil {
			row.Score = scoreRowOf(lang, assessment.ScorePoint{AnsweredOn: s.AnsweredOn, Round: s.Round, SchemeID: s.Score.SchemeID,
				SchemeVersion: s.Score.SchemeVersion, Dimensions: s.Score.Dimensions, Composite: s.Score.Composite})
		}
		if s.Status == assessment.StatusDraft {
			d.Drafts = append(d.Drafts, row)
		} else {
			d.Completed = append(d.Completed, row)
		}
	}
	return d, nil
}

func (w *Web) assessPerson(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "assessment.ui.person.title", nil)
	d, err := w.personAssessData(r, p.Lang, id, true)
	if err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_person", p)
}

// assessPanel is a fragment for the person page: flags, latest scores, the
// next follow-up and links.
func (w *Web) assessPanel(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "assessment.ui.person.title", nil)
	d, err := w.personAssessData(r, p.Lang, id, false)
	if err != nil {
		return err
	}
	p.Data = d
	return w.renderFragment(rw, "assessment_person", "assessment_panel", p)
}

func (w *Web) assessStart(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	in := assessment.Input{FormID: r.PostFormValue("form_id")}
	// What the record already says is not asked again.
	if f := w.currentForm(r, in.FormID); f != nil && w.svc.Registry != nil {
		if rec, rerr := w.svc.Registry.FindRecord(r.Context(), id); rerr == nil {
			if known := assessment.KnownAnswers(f, string(rec.Person.Sex), rec.Person.DateOfBirth, w.clock(r).Local()); len(known) > 0 {
				in.Answers = known
			}
		}
	}
	sub, err := w.svc.Assessment.CreateSubmission(r.Context(), id, in)
	if err != nil {
		return err
	}
	http.Redirect(rw, r, "/assessments/"+sub.ID, http.StatusSeeOther)
	return nil
}

// currentForm is the current version of the form id (a built-in form
// before its first use), if there is one.
func (w *Web) currentForm(r *http.Request, id string) *form.Form {
	if fv, err := w.svc.Assessment.FindForm(r.Context(), id, ""); err == nil && fv.Form != nil {
		return fv.Form
	}
	return form.Builtin(id)
}

// assessDiscard deletes a draft and leads back to the person's
// assessments.
func (w *Web) assessDiscard(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	sub, err := w.svc.Assessment.FindSubmission(r.Context(), id)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	if err := w.svc.Assessment.DiscardDraft(r.Context(), id, version); err != nil {
		return err
	}
	http.Redirect(rw, r, "/people/"+sub.PersonID+"/assessments?ok=ui_a.draft.discarded", http.StatusSeeOther)
	return nil
}

// windowWarning is the warning for a follow-up round taken out of its
// window ("" when on time or not a follow-up).
func windowWarning(lang string, s *assessment.Submission) string {
	if s.Window == "" || s.Window == assessment.WindowOnTime {
		return ""
	}
	n, _ := assessment.RoundMonths(s.Round)
	return i18n.T(lang, "ui_a.window."+string(s.Window), map[string]any{"months": n})
}

type scoresData struct {
	PersonID, Name, CaseNumber string
	Chart                      template.HTML
	Rows                       []*scoreRow
}

func (w *Web) assessScores(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "assessment.chart.title", nil)
	ov, err := w.svc.Assessment.PersonOverview(r.Context(), id)
	if err != nil {
		return err
	}
	lang := p.Lang
	d := scoresData{PersonID: id}
	d.Name, d.CaseNumber = w.personHeader(r, id)
	for _, pt := range ov.Scores {
		d.Rows = append(d.Rows, scoreRowOf(lang, pt))
	}
	labels := scoring.ChartLabels{
		Title: i18n.T(lang, "assessment.chart.title", nil), Desc: i18n.T(lang, "assessment.chart.desc", nil),
		NoScore: i18n.T(lang, "assessment.score.none", nil),
		Series: []scoring.Series{{ID: "economic", Label: i18n.T(lang, "assessment.dimension.economic", nil)},
			{ID: "social", Label: i18n.T(lang, "assessment.dimension.social", nil)},
			{ID: "psychosocial", Label: i18n.T(lang, "assessment.dimension.psychosocial", nil)}},
		FormatDate:  func(t time.Time) string { return i18n.Digits(lang, t.Format("2 Jan 2006")) },
		FormatScore: func(x float64) string { return i18n.Digits(lang, fmt.Sprintf("%.2f", x)) },
		RTL:         i18n.Dir(lang) == "rtl",
	}
	if i18n.Base(lang) != "en" {
		// Month names are English: other languages write the date day
		// first, in their digits (15/01/2027), as their forms do.
		labels.FormatDate = func(t time.Time) string { return isoText(lang, t.Format(time.DateOnly)) }
	}
	// ChartSVG escapes every text it writes and draws no script.
	d.Chart = template.HTML(scoring.ChartSVG(assessment.ChartPoints(ov.Scores, func(round string) string { return roundLabel(lang, round) }), labels))
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_scores", p)
}
