package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/referral"
)

// routesReferral registers the referral pages: the provider inbox and the
// sender's outbox, one referral with the moves allowed to the viewer's
// side, and the person page's panel with the "Refer" form.
func (w *Web) routesReferral() {
	w.handle("GET /referrals", w.referralList, true)
	w.handle("GET /referrals/{id}", w.referralView, true)
	w.handle("POST /referrals/{id}/move", w.referralMove, true)
	w.handle("GET /people/{id}/referrals/panel", w.referralPanel, true)
	w.handle("POST /people/{id}/referrals", w.referralSend, true)
	w.flash("referral.ui.sent_ok", "referral.ui.moved_ok")
}

// ---- labels ----

// serviceNames labels the service types in one language: administrators'
// names by language, the standard set through the catalog.
func (w *Web) serviceNames(r *http.Request, lng string) (map[string]string, []referral.ServiceType) {
	names := map[string]string{}
	types, err := w.svc.Referral.ServiceTypes(r.Context())
	if err != nil {
		return names, nil
	}
	for _, t := range types {
		names[t.Code] = serviceLabel(lng, t)
	}
	return names, types
}

func serviceLabel(lng string, t referral.ServiceType) string {
	if n := t.Names[i18n.Base(lng)]; n != "" {
		return n
	}
	if key := "referral.service." + t.Code; i18n.Has(key) {
		return i18n.T(lng, key, nil)
	}
	if n := t.Names["en"]; n != "" {
		return n
	}
	return t.Code
}

func nameOr(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return code
}

func stateText(lng string, s referral.State) string { return label(lng, "referral.state", string(s)) }

// ---- list ----

type referralRow struct {
	ID, Service, Other, Person, CaseNumber, State, StateText, SentAt, RespondBy, DueDate string
	Overdue                                                                              bool
}

type referralListData struct {
	Box       string
	State     string
	Overdue   bool
	CanInbox  bool
	CanOutbox bool
	States    []option
	Rows      []referralRow
	Next      string
}

func (w *Web) referralRows(r *http.Request, lng string, list []referral.Referral, box referral.Box) []referralRow {
	loc := w.clock(r).Location()
	names, _ := w.serviceNames(r, lng)
	rows := make([]referralRow, 0, len(list))
	for _, x := range list {
		row := referralRow{ID: x.ID, Service: nameOr(names, x.ServiceType), State: string(x.State), StateText: stateText(lng, x.State),
			SentAt: timeText(lng, loc, x.SentAt), DueDate: isoText(lng, x.DueDate), Overdue: x.Overdue, CaseNumber: x.Shared.CaseNumber}
		if x.State == referral.StateSent {
			row.RespondBy = timeText(lng, loc, x.RespondBy)
		}
		row.Other = x.ToOrgName
		if box == referral.Inbox {
			row.Other = x.FromOrgName
		}
		row.Person = strings.TrimSpace(x.Shared.GivenName + " " + x.Shared.FamilyName)
		rows = append(rows, row)
	}
	return rows
}

// defaultBox is the inbox for provider staff and the outbox for those who
// send referrals.
func defaultBox(a *homeward.Actor) referral.Box {
	if a.HasRole(homeward.RoleProviderStaff) || !homeward.Can(a, homeward.ActReferralSend, homeward.Resource{OrgID: a.OrgID}) {
		return referral.Inbox
	}
	return referral.Outbox
}

func (w *Web) referralList(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if !homeward.Can(a, homeward.ActReferralRead, homeward.Resource{OrgID: a.OrgID}) {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	p := w.newPage(r, "referral.ui.title", nil)
	q := r.URL.Query()
	box := referral.Box(q.Get("box"))
	if box != referral.Inbox && box != referral.Outbox {
		box = defaultBox(a)
	}
	d := &referralListData{Box: string(box), CanInbox: true, CanOutbox: homeward.Can(a, homeward.ActReferralSend, homeward.Resource{OrgID: a.OrgID})}
	d.Overdue, _ = strconv.ParseBool(q.Get("overdue"))
	if s := referral.State(q.Get("state")); slices.Contains(referral.States, s) {
		d.State = string(s)
	}
	for _, s := range referral.States {
		d.States = append(d.States, option{string(s), stateText(p.Lang, s)})
	}
	after := q.Get("cursor")
	if after != "" && !homeward.ValidID(after) {
		after = ""
	}
	list, next, err := w.svc.Referral.FindReferrals(r.Context(), referral.ReferralFilter{Box: box, State: referral.State(d.State), Overdue: d.Overdue, After: after, Limit: 50})
	if err != nil {
		return err
	}
	d.Rows = w.referralRows(r, p.Lang, list, box)
	if next != "" {
		v := q
		v.Set("box", string(box))
		v.Set("cursor", next)
		d.Next = "/referrals?" + v.Encode()
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "referral_list", p)
}

// ---- one referral ----

type sharedRow struct{ Label, Value string }

type stepView struct{ At, From, To, Reason, Note, By string }

type moveView struct {
	To, Label string
	Reasons   []option // decline and not completed take a reason
	Danger    bool
}

type referralView struct {
	Ref        *referral.Referral
	Service    string
	StateText  string
	ReasonText string
	Side       string // sender or receiver
	SentAt     string
	RespondBy  string
	ClosedAt   string
	Shared     []sharedRow
	History    []stepView
	Moves      []moveView
	SentBy     string
	// HasDelivery: the service keeps a delivery record and the referral
	// was accepted, so there is (or may be) one to see.
	HasDelivery bool
}

func (w *Web) referralData(r *http.Request, lng string, ref *referral.Referral) *referralView {
	loc := w.clock(r).Location()
	a := homeward.ActorFromContext(r.Context())
	names, types := w.serviceNames(r, lng)
	users := w.userNames(r)
	who := []string{ref.SentBy}
	for _, s := range ref.History {
		who = append(who, s.By)
	}
	w.addNames(r, users, who...)
	v := &referralView{Ref: ref, Service: nameOr(names, ref.ServiceType), StateText: stateText(lng, ref.State),
		ReasonText: label(lng, "referral.reason", string(ref.Reason)), SentAt: timeText(lng, loc, ref.SentAt), SentBy: users[ref.SentBy]}
	if ref.State == referral.StateSent {
		v.RespondBy = timeText(lng, loc, ref.RespondBy)
	}
	if ref.ClosedAt != nil {
		v.ClosedAt = timeText(lng, loc, *ref.ClosedAt)
	}
	switch ref.State {
	case referral.StateAccepted, referral.StateInProgress, referral.StateCompleted, referral.StateNotCompleted:
		v.HasDelivery = kindOf(types, ref.ServiceType) != referral.KindGeneric
	}
	side, _ := ref.SideOf(a.OrgID)
	v.Side = string(side)
	v.Shared = sharedRows(lng, &ref.Shared)
	for i := len(ref.History) - 1; i >= 0; i-- {
		s := ref.History[i]
		sv := stepView{At: timeText(lng, loc, s.At), To: stateText(lng, s.To), Reason: label(lng, "referral.reason", string(s.Reason)), Note: s.Note, By: users[s.By]}
		if s.From != "" {
			sv.From = stateText(lng, s.From)
		}
		if s.By == string(referral.SideSystem) {
			sv.By = i18n.T(lng, "referral.ui.by_system", nil)
		}
		v.History = append(v.History, sv)
	}
	// The moves the viewer's side may make; a referral within one
	// organisation allows both sides' moves.
	var sides []referral.Side
	if ref.ToOrgID == a.OrgID {
		sides = append(sides, referral.SideReceiver)
	}
	if ref.FromOrgID == a.OrgID {
		sides = append(sides, referral.SideSender)
	}
	for _, s := range sides {
		act := homeward.ActReferralRespond
		if s == referral.SideSender {
			act = homeward.ActReferralSend
		}
		if !homeward.Can(a, act, homeward.Resource{Type: "referral", ID: ref.ID, OrgID: a.OrgID}) {
			continue
		}
		for _, to := range referral.Next(ref.State, s) {
			m := moveView{To: string(to), Label: i18n.T(lng, "referral.ui.move."+string(to), nil)}
			switch to {
			case referral.StateDeclined:
				m.Reasons, m.Danger = reasonOptions(lng, referral.DeclineReasons), true
			case referral.StateNotCompleted:
				m.Reasons, m.Danger = reasonOptions(lng, referral.NotCompletedReasons), true
			case referral.StateRevoked:
				m.Danger = true
			}
			v.Moves = append(v.Moves, m)
		}
	}
	return v
}

func reasonOptions(lng string, rs []referral.Reason) []option {
	out := make([]option, len(rs))
	for i, x := range rs {
		out[i] = option{string(x), label(lng, "referral.reason", string(x))}
	}
	return out
}

// sharedRows shows the fields the referral shares, in the order the service
// type lists them, and nothing else.
func sharedRows(lng string, s *referral.Shared) []sharedRow {
	var out []sharedRow
	add := func(f referral.Field, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, sharedRow{i18n.T(lng, "referral.field."+string(f), nil), value})
		}
	}
	for _, f := range s.Fields {
		switch f {
		case referral.FieldName:
			n := strings.TrimSpace(s.GivenName + " " + s.FamilyName)
			if s.NativeName != "" {
				n += " (" + s.NativeName + ")"
			}
			add(f, n)
		case referral.FieldSex:
			add(f, label(lng, "registry.sex", string(s.Sex)))
		case referral.FieldAge:
			if s.Age != nil {
				add(f, i18n.Digits(lng, strconv.Itoa(*s.Age)))
			}
		case referral.FieldDateOfBirth:
			add(f, i18n.Digits(lng, s.DateOfBirth))
		case referral.FieldPhone:
			add(f, i18n.Digits(lng, s.Phone))
		case referral.FieldDistrict:
			if s.District != "" {
				add(f, areaName(lng, s.District))
			}
		case referral.FieldAddress:
			var parts []string
			if s.AdminArea != "" {
				parts = append(parts, areaPathName(lng, s.AdminArea))
			}
			if s.AddressText != "" {
				parts = append(parts, s.AddressText)
			}
			add(f, strings.Join(parts, " — "))
		case referral.FieldLanguages:
			add(f, strings.Join(s.Languages, ", "))
		case referral.FieldEducation:
			add(f, label(lng, "registry.education", string(s.Education)))
		case referral.FieldOccupationAbroad:
			occ := s.OccupationAbroad
			if s.SectorAbroad != "" {
				occ = strings.TrimSpace(occ + " " + label(lng, "registry.sector", string(s.SectorAbroad)))
			}
			add(f, occ)
		case referral.FieldDestinationCountry:
			if s.DestinationCountry != "" {
				add(f, countryName(lng, s.DestinationCountry))
			}
		case referral.FieldReturn:
			add(f, strings.TrimSpace(isoText(lng, s.ReturnDate)+" "+label(lng, "registry.return_type", string(s.ReturnType))))
		case referral.FieldVulnerabilities:
			vs := make([]string, len(s.Vulnerabilities))
			for i, x := range s.Vulnerabilities {
				vs[i] = label(lng, "registry.vulnerability", string(x))
			}
			add(f, strings.Join(vs, ", "))
		case referral.FieldDisability:
			if s.Disability != nil {
				add(f, i18n.T(lng, "referral.ui."+strconv.FormatBool(*s.Disability), nil))
			}
		case referral.FieldHousehold:
			if s.HouseholdSize != nil {
				dep := 0
				if s.Dependants != nil {
					dep = *s.Dependants
				}
				add(f, i18n.T(lng, "referral.ui.household", map[string]any{"size": i18n.Digits(lng, strconv.Itoa(*s.HouseholdSize)), "dependants": i18n.Digits(lng, strconv.Itoa(dep))}))
			}
		case referral.FieldNationalID:
			add(f, i18n.Digits(lng, s.NationalID))
		}
	}
	return out
}

func (w *Web) referralView(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	ref, err := w.svc.Referral.FindReferral(r.Context(), id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "referral.ui.detail.title", nil)
	p.Data = w.referralData(r, p.Lang, ref)
	return w.render(rw, http.StatusOK, "referral_view", p)
}

func (w *Web) referralMove(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 1 {
		return homeward.FieldErrorf("version", "error.field.required", "This field is required.")
	}
	t := referral.Transition{To: referral.State(r.PostFormValue("to")), Reason: referral.Reason(r.PostFormValue("reason")), Note: r.PostFormValue("note")}
	ref, err := w.svc.Referral.MoveReferral(r.Context(), id, version, t)
	if err == nil {
		http.Redirect(rw, r, "/referrals/"+ref.ID+"?ok=referral.ui.moved_ok", http.StatusSeeOther)
		return nil
	}
	// Refused: show the referral as it is now, with the reason.
	cur, ferr := w.svc.Referral.FindReferral(r.Context(), id)
	if ferr != nil {
		return err
	}
	p := w.newPage(r, "referral.ui.detail.title", nil)
	status := http.StatusBadRequest
	if ferr := formErrors(p, err, nil); ferr != nil {
		var e *homeward.Error
		if !errors.As(err, &e) || (e.Code != homeward.ECONFLICT && e.Code != homeward.EPRECONDITION && e.Code != homeward.EFORBIDDEN) {
			return err
		}
		p.Error = i18n.Error(p.Lang, err)
		status = map[string]int{homeward.ECONFLICT: http.StatusConflict, homeward.EPRECONDITION: http.StatusPreconditionFailed, homeward.EFORBIDDEN: http.StatusForbidden}[e.Code]
	} else if p.Error == "" {
		var msgs []string
		for _, m := range p.Errors {
			msgs = append(msgs, m)
		}
		slices.Sort(msgs)
		p.Error = strings.Join(msgs, " ")
	}
	p.Data = w.referralData(r, p.Lang, cur)
	return w.render(rw, status, "referral_view", p)
}

// ---- the person page's panel ----

type offerGroup struct {
	Label  string
	Offers []option
}

type referralPanelData struct {
	PersonID string
	HasCase  bool
	CanSend  bool
	Rows     []referralRow
	Groups   []offerGroup
	Offer    string
	Note     string
	DueDate  string
}

func (w *Web) referralPanelData(r *http.Request, lng, personID string) (*referralPanelData, error) {
	ctx := r.Context()
	rec, err := w.svc.Registry.FindRecord(ctx, personID)
	if err != nil {
		return nil, err
	}
	a := homeward.ActorFromContext(ctx)
	d := &referralPanelData{PersonID: personID, HasCase: rec.Case != nil}
	if rec.Case == nil || !homeward.Can(a, homeward.ActReferralRead, homeward.Resource{OrgID: a.OrgID}) {
		return d, nil
	}
	list, _, err := w.svc.Referral.FindReferrals(ctx, referral.ReferralFilter{Box: referral.Outbox, CaseID: rec.Case.ID, Limit: 100})
	if err != nil {
		return nil, err
	}
	d.Rows = w.referralRows(r, lng, list, referral.Outbox)
	d.CanSend = homeward.Can(a, homeward.ActReferralSend, homeward.Resource{OrgID: rec.Person.OrgID})
	if !d.CanSend {
		return d, nil
	}
	names, types := w.serviceNames(r, lng)
	offers, err := w.svc.Referral.FindOffers(ctx, referral.OfferFilter{})
	if err != nil {
		return nil, err
	}
	// An offer is listed under every active service it covers: its own and
	// the narrower ones below it in the catalogue (a fund offering
	// "business start-up" takes referrals for a cash grant too). The
	// choice names the offer and the service.
	cat, err := referral.NewCatalogue(types)
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if !t.Active {
			continue
		}
		var opts []option
		for _, o := range offers {
			if !o.Active || !cat.Covers(o.ServiceType, t.Code) {
				continue
			}
			l := o.OrgName
			if o.PlacesLeft != nil {
				l += " · " + i18n.T(lng, "referral.ui.places_left", map[string]any{"n": i18n.Number(lng, *o.PlacesLeft)})
			}
			opts = append(opts, option{o.ID + ":" + t.Code, l})
		}
		if len(opts) > 0 {
			d.Groups = append(d.Groups, offerGroup{nameOr(names, t.Code), opts})
		}
	}
	return d, nil
}

func (w *Web) referralPanel(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "referral.ui.panel.title", nil)
	if !p.Can(string(homeward.ActReferralRead)) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		return nil // nothing to show to those who do not work with referrals
	}
	d, err := w.referralPanelData(r, p.Lang, id)
	if err != nil {
		return err
	}
	p.Data = d
	return w.renderFragment(rw, "referral_new", "referral_panel", p)
}

// referralSend sends a referral for the person's case to the provider of
// the directory entry chosen (which names the service type and the
// organisation).
func (w *Web) referralSend(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	rec, err := w.svc.Registry.FindRecord(ctx, id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "referral.ui.panel.title", nil)
	typedDue := strings.TrimSpace(r.PostFormValue("due_date"))
	var dueBad homeward.Validation
	draft := &referral.Draft{ToOrgID: r.PostFormValue("to_org_id"), ServiceType: r.PostFormValue("service_type"),
		Note: r.PostFormValue("note"), DueDate: isoDate(&dueBad, "due_date", typedDue)}
	if rec.Case != nil {
		draft.CaseID = rec.Case.ID
	}
	choice := r.PostFormValue("offer")
	// "offer-id:service" (an offer and one of the services it covers), or
	// an offer id alone for its own service.
	offerID, service, _ := strings.Cut(choice, ":")
	if offerID != "" {
		if !homeward.ValidID(offerID) {
			err = homeward.FieldErrorf("offer", "error.field.required", "This field is required.")
		} else if o, oerr := w.svc.Referral.FindOffer(ctx, offerID); oerr != nil {
			err = homeward.FieldErrorf("offer", "error.field.required", "This field is required.")
		} else {
			draft.ToOrgID, draft.ServiceType = o.OrgID, o.ServiceType
			if service != "" {
				draft.ServiceType = service
			}
		}
	} else if draft.ToOrgID == "" {
		err = homeward.FieldErrorf("offer", "error.field.required", "This field is required.")
	}
	if err == nil {
		err = dueBad.Err()
	}
	var ref *referral.Referral
	if err == nil {
		ref, err = w.svc.Referral.SendReferral(ctx, draft)
	}
	if err == nil {
		to := "/referrals/" + ref.ID + "?ok=referral.ui.sent_ok"
		if r.Header.Get("HX-Request") == "true" {
			rw.Header().Set("HX-Redirect", to)
			rw.WriteHeader(http.StatusOK)
			return nil
		}
		http.Redirect(rw, r, to, http.StatusSeeOther)
		return nil
	}
	// Refused: the form again, with what was typed and why.
	status := http.StatusBadRequest
	if ferr := formErrors(p, err, nil); ferr != nil {
		var e *homeward.Error
		if !errors.As(err, &e) || e.Code != homeward.ECONFLICT {
			return err
		}
		p.Error, status = i18n.Error(p.Lang, err), http.StatusConflict
	}
	// Field errors of the draft's organisation and service are the offer's.
	for _, f := range []string{"to_org_id", "service_type", "case_id"} {
		if m, ok := p.Errors[f]; ok {
			p.Errors["offer"] = m
		}
	}
	d, derr := w.referralPanelData(r, p.Lang, id)
	if derr != nil {
		return derr
	}
	d.Offer, d.Note, d.DueDate = choice, draft.Note, typedDue
	p.Data = d
	rw.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("HX-Request") == "true" {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(status)
		t := w.pages["referral_new"]
		return t.ExecuteTemplate(rw, "referral_panel", p)
	}
	return w.render(rw, status, "referral_new", p)
}
