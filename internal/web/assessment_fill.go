package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/form"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
)

// fillData is the page that fills (or shows) one assessment.
type fillData struct {
	ID, PersonID, Name, CaseNumber string
	Title, FormID, FormVersion     string
	Version                        int
	Completed                      bool
	AnsweredOn                     string
	Items                          []itemView
	Flags                          []flagView
	Score                          *scoreRow
	Window                         string // warning: a follow-up taken out of its window
	// Returned and Rounds say, on a draft survey, when each follow-up
	// round may be taken, so that a round is not taken out of its window.
	Returned string
	Rounds   []string
}

// itemView is one row of the form: a group heading, a note or a question.
type itemView struct {
	Kind     string // group, note, question
	Name     string
	Label    string
	Hint     string
	Type     string
	Required bool
	Hidden   bool // not relevant now
	Live     bool // its answer can change what is relevant
	Value    string
	Values   map[string]bool
	Choices  []choiceView
	Error    string
	Display  string // the answer, for a completed assessment
	OOB      bool
	SubID    string
	Lang     string
}

type choiceView struct{ Name, Label string }

// answersFromForm reads the posted answers ("a.<question>"); numbers typed
// in Bangla (or Arabic-Indic) digits are read as numbers.
func answersFromForm(r *http.Request, f *form.Form) map[string]any {
	out := map[string]any{}
	for _, q := range f.Questions {
		if !q.Type.Answerable() {
			continue
		}
		vals := r.PostForm["a."+q.Name]
		switch q.Type {
		case form.TypeSelectMultiple:
			if len(vals) > 0 {
				out[q.Name] = vals
			}
		case form.TypeDate:
			if len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
				// Written day first; what is not a date goes to the form's
				// own check as typed.
				if iso, ok := parseDayFirst(vals[0]); ok {
					out[q.Name] = iso
				} else {
					out[q.Name] = strings.TrimSpace(vals[0])
				}
			}
		case form.TypeInteger, form.TypeDecimal:
			if len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
				out[q.Name] = homeward.ASCIIDigits(strings.TrimSpace(vals[0]))
			}
		default:
			if len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
				out[q.Name] = vals[0]
			}
		}
	}
	return out
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case []string:
		return strings.Join(x, " ")
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, valueText(e))
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

// liveNames are the questions whose answers appear in a relevance
// expression, directly or through a calculation.
func liveNames(f *form.Form) map[string]bool {
	live := map[string]bool{}
	var mark func(name string)
	mark = func(name string) {
		if live[name] {
			return
		}
		live[name] = true
		if q := f.Question(name); q != nil && q.Type == form.TypeCalculate {
			for _, r := range q.Calculation.Refs() {
				mark(r)
			}
		}
	}
	for _, q := range f.Questions {
		for _, r := range q.Relevant.Refs() {
			mark(r)
		}
	}
	return live
}

// dynamicNames are the items whose relevance can change: those with a
// relevance expression and everything inside such a group.
func dynamicNames(f *form.Form) map[string]bool {
	dyn := map[string]bool{}
	for _, q := range f.Questions {
		if q.Type == form.TypeEndGroup {
			continue
		}
		if !q.Relevant.IsZero() || (q.Group != "" && dyn[q.Group]) {
			dyn[q.Name] = true
		}
	}
	return dyn
}

// buildItems lays out a form in lang with the given answers and errors.
func buildItems(f *form.Form, lang string, answers map[string]any, errs map[string]string, today time.Time, subID string) []itemView {
	rel := f.Relevance(answers, today)
	live := liveNames(f)
	var items []itemView
	for _, q := range f.Questions {
		it := itemView{Name: q.Name, Label: f.Label(q, lang), Hint: q.Hint.Get(lang, f.DefaultLanguage), Type: string(q.Type),
			Required: q.Required, Hidden: !rel[q.Name], Live: live[q.Name], Error: errs[q.Name], SubID: subID, Lang: lang}
		switch {
		case q.Type == form.TypeBeginGroup:
			it.Kind = "group"
		case q.Type == form.TypeNote:
			it.Kind = "note"
		case q.Type.Answerable():
			it.Kind = "question"
			it.Value = valueText(answers[q.Name])
			if q.Type == form.TypeDate {
				it.Value = dateValue(lang, it.Value)
			}
			if q.Type == form.TypeSelectMultiple || q.Type == form.TypeSelectOne {
				it.Values = map[string]bool{}
				for _, v := range strings.Fields(it.Value) {
					it.Values[v] = true
				}
				for _, c := range f.Choices(q) {
					it.Choices = append(it.Choices, choiceView{c.Name, c.Label.Get(lang, f.DefaultLanguage)})
				}
			}
		default:
			continue // end of group, calculations
		}
		items = append(items, it)
	}
	return items
}

// displayItems lays out a completed assessment's answers in lang.
func displayItems(f *form.Form, lang string, answers map[string]any) []itemView {
	var items []itemView
	for _, q := range f.Questions {
		switch {
		case q.Type == form.TypeBeginGroup:
			items = append(items, itemView{Kind: "group", Name: q.Name, Label: f.Label(q, lang), Lang: lang})
		case q.Type.Answerable():
			v, ok := answers[q.Name]
			if !ok {
				continue
			}
			text := valueText(v)
			if q.Type == form.TypeSelectOne || q.Type == form.TypeSelectMultiple {
				var labels []string
				for _, c := range strings.Fields(text) {
					labels = append(labels, f.ChoiceLabel(q, c, lang))
				}
				text = strings.Join(labels, ", ")
			} else if q.Type == form.TypeDate {
				text = dateValue(lang, text)
			} else {
				text = i18n.Digits(lang, text)
			}
			items = append(items, itemView{Kind: "answer", Name: q.Name, Label: f.Label(q, lang), Display: text, Lang: lang})
		}
	}
	return items
}

func (w *Web) loadFill(r *http.Request, lang string) (*assessment.Submission, *assessment.FormVersion, *fillData, error) {
	id, err := pathUUID(r)
	if err != nil {
		return nil, nil, nil, err
	}
	sub, err := w.svc.Assessment.FindSubmission(r.Context(), id)
	if err != nil {
		return nil, nil, nil, err
	}
	if sub.Protected() {
		if err := w.svc.Audit.RecordRead(r.Context(), homeward.RecordRead{Action: "assessment.read", RecordType: "assessment", RecordID: sub.ID, OrgID: sub.OrgID,
			Detail: map[string]any{"via": "page", "person_id": sub.PersonID, "form": sub.FormID}}); err != nil {
			return nil, nil, nil, err
		}
	}
	fv, err := w.svc.Assessment.FindForm(r.Context(), sub.FormID, sub.FormVersion)
	if err != nil {
		return nil, nil, nil, err
	}
	d := &fillData{ID: sub.ID, PersonID: sub.PersonID, Title: fv.Title.Get(lang, fv.Form.DefaultLanguage), FormID: sub.FormID, FormVersion: sub.FormVersion,
		Version: sub.Version, Completed: sub.Status == assessment.StatusCompleted, AnsweredOn: sub.AnsweredOn}
	d.Name, d.CaseNumber = w.personHeader(r, sub.PersonID)
	return sub, fv, d, nil
}

func (w *Web) assessFill(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.fill.title", nil)
	sub, fv, d, err := w.loadFill(r, p.Lang)
	if err != nil {
		return err
	}
	if d.Completed {
		d.Items = displayItems(fv.Form, p.Lang, sub.Answers)
		d.Flags = flagViews(p.Lang, sub.Flags)
		if s := sub.Score; s != nil {
			d.Score = scoreRowOf(p.Lang, assessment.ScorePoint{AnsweredOn: sub.AnsweredOn, Round: sub.Round, SchemeID: s.SchemeID, SchemeVersion: s.SchemeVersion, Dimensions: s.Dimensions, Composite: s.Composite})
		}
		d.AnsweredOn = i18n.Digits(p.Lang, d.AnsweredOn)
		d.Window = windowWarning(p.Lang, sub)
	} else {
		d.Items = buildItems(fv.Form, p.Lang, sub.Answers, nil, w.clock(r).Local(), sub.ID)
		if sub.FormID == assessment.SurveyFormID {
			w.roundSchedule(r, p.Lang, sub.PersonID, d)
		}
	}
	p.Title = d.Title
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_fill", p)
}

func (w *Web) assessSave(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.fill.title", nil)
	sub, fv, d, err := w.loadFill(r, p.Lang)
	if err != nil {
		return err
	}
	answers := answersFromForm(r, fv.Form)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := assessment.Input{Answers: answers, Status: assessment.StatusDraft}
	if r.PostFormValue("action") == "complete" {
		in.Status = assessment.StatusCompleted
	}
	saved, err := w.svc.Assessment.UpdateSubmission(r.Context(), sub.ID, version, in)
	if err == nil {
		ok := "assessment.ui.draft.saved"
		if saved.Status == assessment.StatusCompleted {
			ok = "assessment.ui.completed"
		}
		http.Redirect(rw, r, "/assessments/"+sub.ID+"?ok="+ok, http.StatusSeeOther)
		return nil
	}
	var e *homeward.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case homeward.EINVALID:
	case homeward.ECONFLICT, homeward.EPRECONDITION, homeward.EFORBIDDEN:
		// Refused as a whole (changed meanwhile, completed elsewhere): the
		// answers stay on the page, as typed, with the reason at the top.
		d.Items = buildItems(fv.Form, p.Lang, answers, nil, w.clock(r).Local(), sub.ID)
		p.Title = d.Title
		p.Error = i18n.Error(p.Lang, err)
		p.Data = d
		return w.render(rw, httpx.StatusOf(err), "assessment_fill", p)
	default:
		return err
	}
	// Show every problem in the user's language, at its question, with the
	// answers as typed.
	errs := map[string]string{}
	fields := e.Fields
	if len(fields) == 0 {
		fields = []homeward.FieldError{{Field: e.Field, Key: e.Key, Message: e.Message, Args: e.Args}}
	}
	var other []string
	for _, fe := range fields {
		if fv.Form.Question(fe.Field) != nil {
			errs[fe.Field] = fv.Form.ErrorText(p.Lang, fe)
			p.Summary = append(p.Summary, errorLink{ID: "a-" + fe.Field, Text: errs[fe.Field]})
		} else {
			other = append(other, i18n.FieldMessage(p.Lang, fe))
		}
	}
	d.Items = buildItems(fv.Form, p.Lang, answers, errs, w.clock(r).Local(), sub.ID)
	p.Title = d.Title
	p.Error = i18n.N(p.Lang, "ui_a.fill.errors", len(fields), nil)
	if len(other) > 0 {
		p.Error += " " + strings.Join(other, " ")
	}
	p.Data = d
	return w.render(rw, http.StatusBadRequest, "assessment_fill", p)
}

// assessLive answers an htmx request sent when an answer that other
// questions depend on changes: every item whose relevance can change is
// sent back out of band, shown or hidden, with the answers as typed. The
// item that changed is left alone so that it keeps its focus.
func (w *Web) assessLive(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.fill.title", nil)
	sub, fv, _, err := w.loadFill(r, p.Lang)
	if err != nil {
		return err
	}
	if sub.Status == assessment.StatusCompleted {
		rw.WriteHeader(http.StatusNoContent)
		return nil
	}
	answers := answersFromForm(r, fv.Form)
	trigger := strings.TrimPrefix(r.Header.Get("HX-Trigger-Name"), "a.")
	dyn := dynamicNames(fv.Form)
	var items []itemView
	for _, it := range buildItems(fv.Form, p.Lang, answers, nil, w.clock(r).Local(), sub.ID) {
		if dyn[it.Name] && it.Name != trigger {
			it.OOB = true
			items = append(items, it)
		}
	}
	p.Data = items
	return w.renderFragment(rw, "assessment_fill", "assessment_live", p)
}

// roundSchedule fills, for a draft survey, the follow-up rounds still to
// take with the days they open and fall due.
func (w *Web) roundSchedule(r *http.Request, lang, personID string, d *fillData) {
	ov, err := w.svc.Assessment.PersonOverview(r.Context(), personID)
	if err != nil || ov.ReturnDate == "" {
		return
	}
	d.Returned = dateValue(lang, ov.ReturnDate)
	for _, f := range ov.FollowUps {
		if f.DoneAt != nil {
			continue
		}
		d.Rounds = append(d.Rounds, i18n.T(lang, "ui_a.window.round", map[string]any{"months": f.Months,
			"opens": dateValue(lang, f.Opens.Format(time.DateOnly)), "due": dateValue(lang, f.Due.Format(time.DateOnly))}))
	}
}
