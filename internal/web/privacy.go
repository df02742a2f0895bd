package web

import (
	"net/http"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// routesPrivacy registers erasure on request (recorded on a person's
// privacy page, decided by another supervisor on the organisation's),
// legal holds, and the administrators' retention periods with their
// dry-run report.
func (w *Web) routesPrivacy() {
	w.handle("GET /privacy", w.privacyPage, true)
	w.handle("GET /people/{id}/privacy", w.privacyPerson, true)
	w.handle("POST /people/{id}/erasure", w.erasureRequest, true)
	w.handle("POST /erasure/{id}/approve", w.erasureDecide(true), true)
	w.handle("POST /erasure/{id}/refuse", w.erasureDecide(false), true)
	w.handle("POST /legal-holds", w.holdPlace, true)
	w.handle("POST /legal-holds/{id}/lift", w.holdLift, true)
	w.handle("GET /retention", w.retentionPage, true)
	w.handle("POST /retention/rules", w.retentionRules, true)
	w.handle("POST /retention/run", w.retentionRun, true)
	w.flash("erasure.ui.requested", "erasure.ui.erased", "erasure.ui.refused", "legal_hold.ui.placed", "legal_hold.ui.lifted", "retention.ui.saved")
}

type erasureRow struct {
	ID, PersonID, Person, Reason, Status, Requested, RequestedBy, Decided string
	Open, Own, CanDecide                                                  bool
}

type holdRow struct {
	ID, PersonID, Case, Reason, Placed, PlacedBy, Lifted, LiftReason string
	Active, CanLift                                                  bool
}

type privacyData struct {
	PersonID, PersonName, Case string
	Requests                   []erasureRow
	Holds                      []holdRow
	CanRequest, CanHold        bool
	Reason, HoldPerson         string
	HoldReason, LiftID         string
}

func (w *Web) privacyData(r *http.Request, lng, personID string) (*privacyData, error) {
	a := homeward.ActorFromContext(r.Context())
	res := homeward.Resource{OrgID: a.OrgID}
	d := &privacyData{PersonID: personID, CanRequest: personID != "" && homeward.Can(a, homeward.ActErasureRequest, res), CanHold: homeward.Can(a, homeward.ActLegalHold, res)}
	canDecide := homeward.Can(a, homeward.ActErasureApprove, res)
	loc := w.clock(r).Location()
	names := map[string]string{}
	reqs, err := w.svc.Privacy.ErasureRequests(r.Context(), personID, 100)
	if err != nil && homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		return nil, err
	}
	holds, err := w.svc.Privacy.LegalHolds(r.Context(), personID, 100)
	if err != nil && homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		return nil, err
	}
	var ids []string
	for _, q := range reqs {
		ids = append(ids, q.RequestedBy, q.DecidedBy)
	}
	for _, h := range holds {
		ids = append(ids, h.PlacedBy)
	}
	w.addNames(r, names, ids...)
	who := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return i18n.T(lng, "erasure.ui.someone", nil)
	}
	for _, q := range reqs {
		row := erasureRow{ID: q.ID, PersonID: q.PersonID, Person: q.PersonName, Reason: q.Reason, Status: i18n.T(lng, "erasure.status."+q.Status, nil),
			Requested: timeText(lng, loc, q.RequestedAt), RequestedBy: who(q.RequestedBy), Open: q.Status == registry.ErasureRequested, Own: q.RequestedBy == a.UserID}
		row.CanDecide = row.Open && canDecide && !row.Own
		if q.DecidedAt != nil {
			row.Decided = i18n.T(lng, "erasure.ui.decided_line", map[string]any{"at": timeText(lng, loc, *q.DecidedAt), "by": who(q.DecidedBy)})
		}
		if q.Status == registry.ErasureDone || row.Person == "" {
			row.Person = i18n.T(lng, "erasure.ui.erased_person", nil)
		}
		d.Requests = append(d.Requests, row)
	}
	for _, h := range holds {
		row := holdRow{ID: h.ID, PersonID: h.PersonID, Case: h.CaseNumber, Reason: h.Reason, Placed: timeText(lng, loc, h.PlacedAt), PlacedBy: who(h.PlacedBy),
			Active: h.Active(), LiftReason: h.LiftReason}
		row.CanLift = row.Active && d.CanHold
		if h.LiftedAt != nil {
			row.Lifted = timeText(lng, loc, *h.LiftedAt)
		}
		d.Holds = append(d.Holds, row)
	}
	return d, nil
}

// privacyPage lists the organisation's erasure requests (to decide) and
// legal holds, with the form that places a hold by case number.
func (w *Web) privacyPage(rw http.ResponseWriter, r *http.Request) error {
	return w.showPrivacy(rw, r, "", http.StatusOK, nil)
}

func (w *Web) showPrivacy(rw http.ResponseWriter, r *http.Request, personID string, status int, edit func(*page, *privacyData)) error {
	a := homeward.ActorFromContext(r.Context())
	res := homeward.Resource{OrgID: a.OrgID}
	if !homeward.Can(a, homeward.ActErasureRequest, res) && !homeward.Can(a, homeward.ActLegalHold, res) {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	p := w.newPage(r, "erasure.ui.title", nil)
	d, err := w.privacyData(r, p.Lang, personID)
	if err != nil {
		return err
	}
	if personID != "" {
		rec, err := w.svc.Registry.FindRecord(r.Context(), personID)
		if err != nil {
			return err
		}
		d.PersonName = rec.Person.DisplayName()
		if rec.Case != nil {
			d.Case = rec.Case.Number
		}
		p.Title = i18n.T(p.Lang, "erasure.ui.person_title", map[string]any{"name": d.PersonName})
	}
	if edit != nil {
		edit(p, d)
	}
	p.Data = d
	return w.render(rw, status, "privacy", p)
}

func (w *Web) privacyPerson(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return w.showPrivacy(rw, r, id, http.StatusOK, nil)
}

func (w *Web) erasureRequest(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	if _, err := w.svc.Privacy.RequestErasure(r.Context(), id, reason); err != nil {
		return w.privacyRefusal(rw, r, id, err, func(d *privacyData) { d.Reason = reason })
	}
	http.Redirect(rw, r, "/people/"+id+"/privacy?ok=erasure.ui.requested", http.StatusSeeOther)
	return nil
}

// privacyRefusal renders the privacy page with why a form was refused
// (field errors 400, a conflict or refusal with its status); other errors
// go to the error page.
func (w *Web) privacyRefusal(rw http.ResponseWriter, r *http.Request, personID string, err error, edit func(*privacyData)) error {
	a := homeward.ActorFromContext(r.Context())
	p := w.newPage(r, "erasure.ui.title", nil)
	status, rerr := refusal(p, err, nil)
	if rerr != nil {
		return rerr
	}
	d, derr := w.privacyData(r, p.Lang, personID)
	if derr != nil {
		return derr
	}
	if personID != "" && homeward.Can(a, homeward.ActPersonRead, homeward.Resource{OrgID: a.OrgID}) {
		if rec, err := w.svc.Registry.FindRecord(r.Context(), personID); err == nil {
			d.PersonName = rec.Person.DisplayName()
			if rec.Case != nil {
				d.Case = rec.Case.Number
			}
		}
	}
	if edit != nil {
		edit(d)
	}
	p.Data = d
	return w.render(rw, status, "privacy", p)
}

func (w *Web) erasureDecide(approve bool) handlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) error {
		id, err := pathUUID(r)
		if err != nil {
			return err
		}
		if _, err := w.svc.Privacy.DecideErasure(r.Context(), id, approve); err != nil {
			return w.privacyRefusal(rw, r, "", err, nil)
		}
		flash := "erasure.ui.refused"
		if approve {
			flash = "erasure.ui.erased"
		}
		http.Redirect(rw, r, "/privacy?ok="+flash, http.StatusSeeOther)
		return nil
	}
}

func (w *Web) holdPlace(rw http.ResponseWriter, r *http.Request) error {
	person, reason := r.PostFormValue("person"), r.PostFormValue("reason")
	back := r.PostFormValue("back") // the person's id when placed from their page
	if back != "" && !homeward.ValidID(back) {
		back = ""
	}
	if _, err := w.svc.Privacy.PlaceHold(r.Context(), person, reason); err != nil {
		return w.privacyRefusal(rw, r, back, err, func(d *privacyData) { d.HoldPerson, d.HoldReason = person, reason })
	}
	if back != "" {
		http.Redirect(rw, r, "/people/"+back+"/privacy?ok=legal_hold.ui.placed", http.StatusSeeOther)
		return nil
	}
	http.Redirect(rw, r, "/privacy?ok=legal_hold.ui.placed", http.StatusSeeOther)
	return nil
}

func (w *Web) holdLift(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if _, err := w.svc.Privacy.LiftHold(r.Context(), id, r.PostFormValue("reason")); err != nil {
		return w.privacyRefusal(rw, r, "", err, func(d *privacyData) { d.LiftID = id })
	}
	http.Redirect(rw, r, "/privacy?ok=legal_hold.ui.lifted", http.StatusSeeOther)
	return nil
}

type retentionRuleRow struct {
	Kind, Label, Hint string
	Years             int
}

type retentionItemRow struct {
	Kind, Record, Action, Why string
	Held                      bool
}

type retentionData struct {
	Rules  []retentionRuleRow
	Items  []retentionItemRow
	DryRun bool
	Done   int
	Held   int
	Ran    string
}

func (w *Web) retentionData(r *http.Request, lng string, rep *registry.RetentionReport) (*retentionData, error) {
	rules, err := w.svc.Privacy.RetentionRules(r.Context())
	if err != nil {
		return nil, err
	}
	years := map[string]int{}
	for _, ru := range rules {
		years[ru.Kind] = ru.Years
	}
	d := &retentionData{}
	for _, k := range registry.RetentionKinds {
		d.Rules = append(d.Rules, retentionRuleRow{Kind: k, Label: i18n.T(lng, "retention.kind."+k, nil), Hint: i18n.T(lng, "retention.hint."+k, nil), Years: years[k]})
	}
	if rep == nil {
		if rep, err = w.svc.Privacy.RunRetention(r.Context(), true); err != nil {
			return nil, err
		}
	}
	loc := w.clock(r).Location()
	d.DryRun, d.Done, d.Held = rep.DryRun, rep.Done, rep.Held
	for _, it := range rep.Items {
		row := retentionItemRow{Kind: i18n.T(lng, "retention.kind."+it.Kind, nil), Record: i18n.T(lng, "retention.record."+it.RecordType, nil) + " " + shortID(it.RecordID),
			Action: i18n.T(lng, "retention.action."+it.Action, nil), Held: it.Held,
			Why: i18n.T(lng, "retention.why."+it.Kind, map[string]any{"since": timeText(lng, loc, it.Since), "years": it.Years})}
		if it.Held {
			row.Action = i18n.T(lng, "retention.action.held", nil)
		}
		d.Items = append(d.Items, row)
	}
	return d, nil
}

// shortID shortens a record id for the report (the tail of a UUID v7,
// which is its random part).
func shortID(id string) string {
	if len(id) > 8 {
		return "…" + id[len(id)-8:]
	}
	return id
}

// retentionPage shows the periods and what applying them now would do.
func (w *Web) retentionPage(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "retention.ui.title", nil)
	d, err := w.retentionData(r, p.Lang, nil)
	if err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "retention", p)
}

// retentionRules saves the periods: every one is checked before any is
// written.
func (w *Web) retentionRules(rw http.ResponseWriter, r *http.Request) error {
	years := map[string]int{}
	errs := map[string]string{}
	p := w.newPage(r, "retention.ui.title", nil)
	for _, k := range registry.RetentionKinds {
		s := strings.TrimSpace(homeward.ASCIIDigits(r.PostFormValue("years_" + k))) // any digit set
		n, err := strconv.Atoi(s)
		if s == "" {
			n, err = 0, nil
		}
		if err == nil {
			err = registry.CheckRetentionRule(k, n)
		}
		if err != nil {
			errs["years_"+k] = i18n.T(p.Lang, "retention.years", nil)
			continue
		}
		years[k] = n
	}
	if len(errs) > 0 {
		d, err := w.retentionData(r, p.Lang, nil)
		if err != nil {
			return err
		}
		for i := range d.Rules {
			if n, ok := years[d.Rules[i].Kind]; ok {
				d.Rules[i].Years = n
			}
		}
		p.Errors, p.Data = errs, d
		return w.render(rw, http.StatusBadRequest, "retention", p)
	}
	if err := w.svc.Privacy.SetRetentionRules(r.Context(), years); err != nil {
		return err
	}
	http.Redirect(rw, r, "/retention?ok=retention.ui.saved", http.StatusSeeOther)
	return nil
}

// retentionRun applies the periods now and shows what was done.
func (w *Web) retentionRun(rw http.ResponseWriter, r *http.Request) error {
	rep, err := w.svc.Privacy.RunRetention(r.Context(), false)
	if err != nil {
		return err
	}
	p := w.newPage(r, "retention.ui.title", nil)
	d, err := w.retentionData(r, p.Lang, rep)
	if err != nil {
		return err
	}
	p.Flash = i18n.T(p.Lang, "retention.ui.ran", map[string]any{"n": rep.Done, "held": rep.Held})
	p.Data = d
	return w.render(rw, http.StatusOK, "retention", p)
}

// erasureTasks is the task group of erasure requests waiting for a
// supervisor's decision (those another supervisor recorded).
func (w *Web) erasureTasks(r *http.Request, lng string, perGroup int) ([]taskItem, int) {
	a := homeward.ActorFromContext(r.Context())
	if w.svc.Privacy == nil || !homeward.Can(a, homeward.ActErasureApprove, homeward.Resource{OrgID: a.OrgID}) {
		return nil, 0
	}
	reqs, err := w.svc.Privacy.ErasureRequests(r.Context(), "", 200)
	if err != nil {
		return nil, 0
	}
	loc := w.clock(r).Location()
	var items []taskItem
	n := 0
	for _, q := range reqs {
		if q.Status != registry.ErasureRequested || q.RequestedBy == a.UserID {
			continue
		}
		n++
		if len(items) < perGroup {
			items = append(items, taskItem{"/privacy#er-" + q.ID, q.PersonName, timeText(lng, loc, q.RequestedAt)})
		}
	}
	return items, n
}
