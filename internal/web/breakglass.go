package web

import (
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// routesBreakGlass registers emergency access: the request (an identifier
// and a reason), the read-only record while the access lasts, and the
// list that supervisors review.
func (w *Web) routesBreakGlass() {
	w.handle("GET /emergency", w.breakGlassPage, true)
	w.handle("POST /emergency", w.breakGlassOpen, true)
	w.handle("GET /emergency/{id}", w.breakGlassView, true)
	w.handle("POST /emergency/{id}/review", w.breakGlassReview, true)
	w.flash("breakglass.ui.reviewed")
}

type breakGlassRow struct {
	ID, Person, PersonID, Requester, Org, Owner, Reason, Granted, Expires, Review string
	Active, CanReview, Own                                                        bool
}

type breakGlassData struct {
	Identifier, Reason string
	Rows               []breakGlassRow
	CanOpen            bool
}

func (w *Web) breakGlassRows(r *http.Request, lng, personID string, unreviewed bool, limit int) ([]breakGlassRow, int, error) {
	list, n, err := w.svc.BreakGlass.BreakGlassList(r.Context(), personID, unreviewed, limit)
	if err != nil {
		return nil, 0, err
	}
	a := homeward.ActorFromContext(r.Context())
	loc := w.clock(r).Location()
	now := w.clock(r).Time()
	var out []breakGlassRow
	for _, b := range list {
		row := breakGlassRow{ID: b.ID, Person: b.PersonName, PersonID: b.PersonID, Requester: b.RequesterName, Org: b.RequesterOrgName, Owner: b.OwnerOrgName,
			Reason: b.Reason, Granted: timeText(lng, loc, b.GrantedAt), Expires: timeText(lng, loc, b.ExpiresAt), Active: b.Active(now), Own: b.RequesterID == a.UserID}
		if b.ReviewedAt != nil {
			row.Review = i18n.T(lng, "breakglass.ui.reviewed_line", map[string]any{"at": timeText(lng, loc, *b.ReviewedAt), "note": b.ReviewNote})
		}
		row.CanReview = b.ReviewedAt == nil && b.OwnerOrg == a.OrgID && homeward.Can(a, homeward.ActBreakGlassReview, homeward.Resource{OrgID: a.OrgID})
		if row.Person == "" {
			row.Person = i18n.T(lng, "breakglass.ui.person_hidden", nil)
		}
		out = append(out, row)
	}
	return out, n, nil
}

func (w *Web) breakGlassPage(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "breakglass.ui.title", nil)
	d, err := w.breakGlassData(r, p.Lang)
	if err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "breakglass", p)
}

func (w *Web) breakGlassData(r *http.Request, lng string) (*breakGlassData, error) {
	a := homeward.ActorFromContext(r.Context())
	d := &breakGlassData{CanOpen: homeward.Can(a, homeward.ActBreakGlass, homeward.Resource{OrgID: a.OrgID})}
	rows, _, err := w.breakGlassRows(r, lng, "", false, 100)
	if err != nil {
		return nil, err
	}
	d.Rows = rows
	return d, nil
}

func (w *Web) breakGlassOpen(rw http.ResponseWriter, r *http.Request) error {
	id, reason := r.PostFormValue("identifier"), r.PostFormValue("reason")
	b, err := w.svc.BreakGlass.OpenBreakGlass(r.Context(), id, reason)
	if err == nil {
		http.Redirect(rw, r, "/emergency/"+b.ID, http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "breakglass.ui.title", nil)
	var status int
	if formErrors(p, err, nil) == nil {
		status = http.StatusBadRequest
	} else {
		switch homeward.ErrorCode(err) {
		case homeward.ENOTFOUND, homeward.ECONFLICT:
			p.Error, status = i18n.Error(p.Lang, err), http.StatusUnprocessableEntity
		default:
			return err
		}
	}
	d, derr := w.breakGlassData(r, p.Lang)
	if derr != nil {
		return derr
	}
	d.Identifier, d.Reason = id, reason
	p.Data = d
	return w.render(rw, status, "breakglass", p)
}

// breakGlassRecordView is the read-only record of an emergency access:
// what helps in an emergency, nothing more (no notes, no assessments).
type breakGlassRecordView struct {
	Grant                                                          *registry.BreakGlass
	Name, Native, Sex, Born, Phones, Address, Case, Status, Reason string
	Flags, Languages                                               []string
	Owner, Expires                                                 string
}

func (w *Web) breakGlassView(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	rec, b, err := w.svc.BreakGlass.BreakGlassRecord(r.Context(), id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "breakglass.ui.record", nil)
	lng, loc := p.Lang, w.clock(r).Location()
	per := &rec.Person
	v := &breakGlassRecordView{Grant: b, Name: per.DisplayName(), Native: per.FullNameNative, Sex: label(lng, "registry.sex", string(per.Sex)),
		Born: dateText(lng, per.DateOfBirth), Phones: strings.Join(per.Phones, ", "), Reason: b.Reason, Expires: timeText(lng, loc, b.ExpiresAt), Languages: per.Languages}
	if per.Address.AdminArea != "" {
		v.Address = areaPathName(lng, per.Address.AdminArea)
	}
	if o, err := w.svc.Orgs.FindOrganisationByID(r.Context(), b.OwnerOrg); err == nil {
		v.Owner = o.Name
	}
	if c := rec.Case; c != nil {
		v.Case, v.Status = c.Number, label(lng, "registry.status", string(c.Status))
		for _, f := range c.Vulnerabilities {
			v.Flags = append(v.Flags, label(lng, "registry.vulnerability", string(f)))
		}
	}
	p.Data = v
	return w.render(rw, http.StatusOK, "breakglass_record", p)
}

func (w *Web) breakGlassReview(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if err := w.svc.BreakGlass.ReviewBreakGlass(r.Context(), id, r.PostFormValue("note")); err != nil {
		p := w.newPage(r, "breakglass.ui.title", nil)
		status, rerr := refusal(p, err, nil)
		if rerr != nil {
			return rerr
		}
		d, derr := w.breakGlassData(r, p.Lang)
		if derr != nil {
			return derr
		}
		p.Data = d
		return w.render(rw, status, "breakglass", p)
	}
	http.Redirect(rw, r, "/emergency?ok=breakglass.ui.reviewed", http.StatusSeeOther)
	return nil
}

// breakGlassTasks is the task group of emergency accesses not yet reviewed
// (for supervisors of both organisations).
func (w *Web) breakGlassTasks(r *http.Request, lng string, perGroup int) ([]taskItem, int) {
	a := homeward.ActorFromContext(r.Context())
	if w.svc.BreakGlass == nil || !homeward.Can(a, homeward.ActBreakGlassReview, homeward.Resource{OrgID: a.OrgID}) {
		return nil, 0
	}
	rows, n, err := w.breakGlassRows(r, lng, "", true, perGroup)
	if err != nil {
		return nil, 0
	}
	var items []taskItem
	for _, b := range rows {
		items = append(items, taskItem{"/emergency#bg-" + b.ID, b.Requester + " (" + b.Org + ") → " + b.Person, b.Granted})
	}
	return items, n
}
