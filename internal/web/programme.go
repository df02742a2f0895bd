package web

import (
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/programme"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// routesProgramme registers the administrators' page of the
// organisation's programmes (list, create, deactivate) and the enrolment
// of a case from the person page.
func (w *Web) routesProgramme() {
	w.handle("GET /programmes", w.programmesPage, true)
	w.handle("POST /programmes", w.programmeCreate, true)
	w.handle("POST /programmes/{id}/active", w.programmeActive, true)
	w.handle("POST /people/{id}/programmes", w.programmeEnrol, true)
	w.flash("programme.ui.created", "programme.ui.deactivated", "programme.ui.activated", "programme.ui.enrolled_ok")
}

type programmeRow struct {
	ID, Code, Name, Donor, Period, Districts, Enrolled string
	Active, Mine                                       bool
}

type programmesView struct {
	Rows      []programmeRow
	CanManage bool
	F         map[string]string // the create form's values, on a refusal
}

func (w *Web) programmesPage(rw http.ResponseWriter, r *http.Request) error {
	return w.showProgrammes(rw, r, http.StatusOK, nil)
}

func (w *Web) showProgrammes(rw http.ResponseWriter, r *http.Request, status int, refused error) error {
	p := w.newPage(r, "programme.ui.title", nil)
	if !p.Can(string(homeward.ActProgrammeRead)) && !p.Can(string(homeward.ActProgrammeManage)) {
		return forbidden()
	}
	list, err := w.svc.Programmes.Programmes(r.Context(), programme.Filter{Counts: true})
	if err != nil {
		return err
	}
	v := &programmesView{CanManage: p.Can(string(homeward.ActProgrammeManage)), F: map[string]string{}}
	for _, pr := range list {
		row := programmeRow{ID: pr.ID, Code: pr.Code, Name: pr.Name(p.Lang), Donor: pr.Donor, Enrolled: i18n.Number(p.Lang, pr.Enrolled),
			Active: pr.Active, Mine: pr.OrgID == p.Actor.OrgID}
		if pr.Start != "" || pr.End != "" {
			row.Period = i18n.Digits(p.Lang, pr.Start+" – "+pr.End)
		}
		var names []string
		for _, d := range pr.Districts {
			if a := reference.Area(d); a != nil {
				names = append(names, a.Name(p.Lang))
			}
		}
		row.Districts = strings.Join(names, ", ")
		v.Rows = append(v.Rows, row)
	}
	if refused != nil {
		for _, k := range []string{"code", "name_en", "name_bn", "donor", "start", "end", "districts"} {
			v.F[k] = r.PostFormValue(k)
		}
		if status, err = refusal(p, refused, nil); err != nil {
			return err
		}
	}
	p.Data = v
	return w.render(rw, status, "programmes", p)
}

func (w *Web) programmeCreate(rw http.ResponseWriter, r *http.Request) error {
	in := &programme.Programme{Code: r.PostFormValue("code"), NameEn: r.PostFormValue("name_en"), NameBn: r.PostFormValue("name_bn"),
		Donor: r.PostFormValue("donor"), Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Districts: strings.Split(r.PostFormValue("districts"), ",")}
	if _, err := w.svc.Programmes.CreateProgramme(r.Context(), in); err != nil {
		return w.showProgrammes(rw, r, http.StatusBadRequest, err)
	}
	http.Redirect(rw, r, "/programmes?ok=programme.ui.created", http.StatusSeeOther)
	return nil
}

func (w *Web) programmeActive(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "true"
	if err := w.svc.Programmes.SetProgrammeActive(r.Context(), id, active); err != nil {
		return err
	}
	ok := "programme.ui.deactivated"
	if active {
		ok = "programme.ui.activated"
	}
	http.Redirect(rw, r, "/programmes?ok="+ok, http.StatusSeeOther)
	return nil
}

// casePrograms is the person page's programmes section: the case's
// enrolments and, for those who enrol, the organisation's active
// programmes it is not in yet.
type casePrograms struct {
	Enrolled []option // name (code) — since
	Choices  []option
	CanEnrol bool
	Closed   bool // a closed case is not enrolled
}

// personProgrammes gathers the programmes section of a case's page.
func (w *Web) personProgrammes(r *http.Request, c *registry.Case) (*casePrograms, error) {
	ctx := r.Context()
	lng := lang(r)
	a := homeward.ActorFromContext(ctx)
	list, err := w.svc.Programmes.Enrolments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	v := &casePrograms{CanEnrol: homeward.Can(a, homeward.ActProgrammeEnrol, homeward.Resource{Type: "case", ID: c.ID, OrgID: c.OrgID}), Closed: c.Status == registry.StatusClosed}
	in := map[string]bool{}
	for _, e := range list {
		in[e.ProgrammeID] = true
		name := e.NameEn
		if i18n.Base(lng) == "bn" && e.NameBn != "" {
			name = e.NameBn
		}
		v.Enrolled = append(v.Enrolled, option{name + " (" + e.Code + ")", i18n.T(lng, "programme.ui.enrolled_on", map[string]any{"date": timeText(lng, w.clock(r).Location(), e.EnrolledAt)})})
	}
	if v.CanEnrol && !v.Closed {
		all, err := w.svc.Programmes.Programmes(ctx, programme.Filter{OrgID: c.OrgID})
		if err != nil {
			return nil, err
		}
		for _, p := range all {
			if p.Active && !in[p.ID] {
				v.Choices = append(v.Choices, option{p.ID, p.Name(lng) + " (" + p.Code + ")"})
			}
		}
	}
	return v, nil
}

func (w *Web) programmeEnrol(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	rec, err := w.svc.Registry.FindRecord(r.Context(), id)
	if err != nil {
		return err
	}
	if rec.Case == nil {
		return notFound()
	}
	if _, err := w.svc.Programmes.Enrol(r.Context(), rec.Case.ID, r.PostFormValue("programme_id")); err != nil {
		return w.caseFormError(rw, r, id, err)
	}
	http.Redirect(rw, r, "/people/"+id+"?ok=programme.ui.enrolled_ok#programmes", http.StatusSeeOther)
	return nil
}
