package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// personView is the person page, every value ready to show in one language.
type personView struct {
	// MergedFrom names the record merged into this one whose address the
	// visitor followed (the banner on arrival).
	MergedFrom  string
	Rec         *registry.Record
	Name        string
	DateOfBirth string
	Age         string
	Documents   []docView
	Address     string
	Household   []householdView
	Languages   string
	Disability  []option
	Disabled    bool
	Episodes    []episodeView
	Case        *caseView
	Consents    []consentView
	Timeline    []eventView
	Consent     *formKit // the new-consent form
	Purposes    []option
	Methods     []option
	OrgTypes    []option
	Workers     []option
	CanEdit     bool
	CanAssign   bool
	CanConsent  bool
	// Subject requests: the returnee's requests about their data.
	Subject        []subjectRow
	CanSubject     bool
	CanSubjectCopy bool
	SubjectOpen    bool // the request form, opened after a refusal
	Channels       []option
	// Emergency accesses to this record by other organisations.
	Emergency []breakGlassRow
	// Readers is who opened the record (for supervisors and auditors).
	Readers     []readerRow
	ShowReaders bool
	Programmes  *casePrograms // nil without a case
}

// readerRow is one opening of the record.
type readerRow struct{ Who, At, Via string }

type docView struct{ Type, Number, Country, ValidUntil string }

type householdView struct {
	Relationship, Age, Sex string
	Dependant              bool
}

type episodeView struct {
	Country, Occupation, Sector, Employer, Departure, End, Visa, Recruitment string
	Cost, Debt, Remittances                                                  string
	ReturnDate, Point, ReturnType, Reason, Reasons, Documents, Services      string
}

type caseView struct {
	*registry.Case
	Version    int
	StatusText string
	Closure    string
	Priority   string
	Flags      []string
	Assigned   string
	Opened     string
	Next       []option // allowed moves other than closing
	CanClose   bool
	Closures   []option
	Priorities []option
	AllFlags   []option
	HasFlag    map[string]bool
}

type consentView struct {
	ID, Purpose, Recipient, Method, Witness, RecordedBy, RecordedAt, Expires, Withdrawn string
	Active                                                                              bool
}

type eventView struct{ At, Actor, Text, MergedFrom string }

// mergedAway sends a visitor of a record merged into another to the kept
// record, which says so; it reports whether it did.
func mergedAway(rw http.ResponseWriter, r *http.Request, rec *registry.Record) bool {
	if rec.MergedInto == "" || !homeward.ValidID(rec.MergedInto) {
		return false
	}
	http.Redirect(rw, r, "/people/"+rec.MergedInto+"?merged_from="+url.QueryEscape(rec.Person.ID), http.StatusSeeOther)
	return true
}

func money(lng string, m *registry.Money) string {
	if m == nil {
		return ""
	}
	return i18n.Number(lng, m.Amount) + " " + m.Currency
}

func dateText(lng string, d registry.Date) string { return isoText(lng, d.String()) }

// timeText shows instant t as a user reads it: day first, as dates are
// written, in the user's time zone (loc; see Web.clock), with the
// language's digits. Times are stored in UTC.
func timeText(lng string, loc *time.Location, t time.Time) string {
	return i18n.Digits(lng, t.In(loc).Format("02/01/2006 15:04"))
}

// personPageData loads everything the person page shows.
func (w *Web) personPageData(r *http.Request, id string) (*personView, error) {
	loc := w.clock(r).Location()
	ctx := r.Context()
	rec, err := w.svc.Registry.FindRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	// Opening the record is recorded before anything of it is shown.
	if err := w.svc.Audit.RecordRead(ctx, homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: id, OrgID: rec.Person.OrgID,
		Detail: map[string]any{"via": "page"}}); err != nil {
		return nil, err
	}
	lng := lang(r)
	a := homeward.ActorFromContext(ctx)
	res := homeward.Resource{ID: id, OrgID: rec.Person.OrgID}
	mergedFrom := ""
	if from := r.URL.Query().Get("merged_from"); homeward.ValidID(from) {
		if old, err := w.svc.Registry.FindRecord(ctx, from); err == nil && old.MergedInto == id {
			mergedFrom = old.Person.DisplayName()
		}
	}
	names := w.userNames(r)
	if rec.Case != nil {
		w.addNames(r, names, rec.Case.AssignedTo)
	}
	for _, c := range rec.Consents {
		w.addNames(r, names, c.RecordedBy)
	}
	p := &rec.Person
	v := &personView{Rec: rec, Name: p.DisplayName(), DateOfBirth: dateText(lng, p.DateOfBirth),
		CanEdit:   homeward.Can(a, homeward.ActPersonUpdate, res),
		CanAssign: homeward.Can(a, homeward.ActCaseAssign, res), CanConsent: homeward.Can(a, homeward.ActConsentRecord, res), MergedFrom: mergedFrom}
	if age, ok := p.DateOfBirth.AgeAt(w.clock(r).Local()); ok {
		v.Age = i18n.Digits(lng, strconv.Itoa(age))
	}
	if v.CanSubject = homeward.Can(a, homeward.ActSubjectRequest, res); v.CanSubject {
		if v.Subject, err = w.subjectRows(r, lng, id); err != nil {
			return nil, err
		}
		v.CanSubjectCopy = homeward.Can(a, homeward.ActSubjectAccess, res)
		v.Channels = options(lng, "subject.channel", registry.SubjectChannels)
	}
	if w.svc.BreakGlass != nil {
		rows, _, err := w.breakGlassRows(r, lng, id, false, 10)
		if err != nil {
			return nil, err
		}
		for _, b := range rows {
			if b.Owner != b.Org { // another organisation's access to ours
				v.Emergency = append(v.Emergency, b)
			}
		}
	}
	if homeward.Can(a, homeward.ActAuditReaders, res) {
		readers, err := w.svc.Audit.Readers(ctx, "person", id, 20)
		if err != nil {
			return nil, err
		}
		v.ShowReaders = true
		for _, rd := range readers {
			w.addNames(r, names, rd.ActorID)
			row := readerRow{Who: names[rd.ActorID], At: timeText(lng, loc, rd.At)}
			if row.Who == "" {
				row.Who = rd.ActorID
			}
			if rd.Via != "" {
				row.Via = i18n.T(lng, "audit.via."+rd.Via, nil)
			}
			v.Readers = append(v.Readers, row)
		}
	}
	for _, d := range p.Documents {
		v.Documents = append(v.Documents, docView{label(lng, "registry.doctype", string(d.Type)), registry.ShowDocumentNumber(d.Type, d.IssuingCountry, d.Number), countryName(lng, d.IssuingCountry), dateText(lng, d.ValidUntil)})
	}
	if p.Address.AdminArea != "" {
		v.Address = areaPathName(lng, p.Address.AdminArea)
	}
	for _, m := range p.Household {
		h := householdView{Relationship: label(lng, "registry.relationship", string(m.Relationship)), Sex: label(lng, "registry.sex", string(m.Sex)), Dependant: m.Dependant}
		if m.Age != nil {
			h.Age = i18n.Digits(lng, strconv.Itoa(*m.Age))
		}
		v.Household = append(v.Household, h)
	}
	v.Languages = strings.Join(p.Languages, ", ")
	if d := p.Disability; d != nil {
		for _, x := range d.Domains() {
			if x.Answer != "" {
				v.Disability = append(v.Disability, option{label(lng, "registry.wg_domain", x.Name), label(lng, "registry.wg", string(x.Answer))})
			}
		}
		v.Disabled = d.HasDisability()
	}
	for _, e := range rec.Episodes {
		ev := episodeView{Country: countryName(lng, e.DestinationCountry), Sector: label(lng, "registry.sector", string(e.Sector)), Employer: e.Employer,
			Departure: dateText(lng, e.DepartureDate), End: dateText(lng, e.EndDate), Visa: label(lng, "registry.visa", string(e.VisaType)),
			Recruitment: label(lng, "registry.recruitment", string(e.RecruitmentChannel)),
			Cost:        money(lng, e.MigrationCost), Debt: money(lng, e.DebtOutstanding), Remittances: money(lng, e.Remittances)}
		if o := reference.OccupationByCode(e.OccupationAbroad); o != nil {
			ev.Occupation = o.Code + " " + o.Title
		}
		if rt := e.Return; rt != nil {
			ev.ReturnDate, ev.ReturnType, ev.Reason = dateText(lng, rt.Date), label(lng, "registry.return_type", string(rt.ReturnType)), rt.Reason
			if poe := registry.PointOfEntryByCode(rt.PointOfEntry); poe != nil {
				ev.Point = poe.Name(i18n.Base(lng))
			}
			var docs, svcs []string
			for _, d := range rt.DocumentsOnArrival {
				docs = append(docs, label(lng, "registry.arrival_document", string(d)))
			}
			for _, s := range rt.ReceptionServices {
				svcs = append(svcs, label(lng, "registry.service", string(s)))
			}
			ev.Documents, ev.Services = strings.Join(docs, ", "), strings.Join(svcs, ", ")
			var reasons []string
			for _, c := range rt.Reasons {
				reasons = append(reasons, registry.ReturnReasonName(w.country(), c, lng))
			}
			ev.Reasons = strings.Join(reasons, ", ")
		}
		v.Episodes = append(v.Episodes, ev)
	}
	if c := rec.Case; c != nil {
		cv := &caseView{Case: c, StatusText: label(lng, "registry.status", string(c.Status)), Closure: label(lng, "registry.closure", string(c.ClosureReason)),
			Priority: label(lng, "registry.priority", string(c.Priority)), Assigned: names[c.AssignedTo], Opened: timeText(lng, loc, c.OpenedAt),
			Closures: options(lng, "registry.closure", registry.ClosureReasons), Priorities: options(lng, "registry.priority", registry.Priorities),
			AllFlags: options(lng, "registry.vulnerability", registry.Vulnerabilities), HasFlag: map[string]bool{}}
		if c.AssignedTo != "" && cv.Assigned == "" {
			cv.Assigned = i18n.T(lng, "registry.ui.case.colleague", nil)
		}
		for _, f := range c.Vulnerabilities {
			cv.Flags = append(cv.Flags, label(lng, "registry.vulnerability", string(f)))
			cv.HasFlag[string(f)] = true
		}
		for _, s := range registry.NextStatuses(c.Status, c.ClosureReason) {
			if s == registry.StatusClosed {
				cv.CanClose = homeward.Can(a, homeward.ActCaseClose, res)
				continue
			}
			cv.Next = append(cv.Next, option{string(s), label(lng, "registry.status", string(s))})
		}
		cv.Version = c.Version
		v.Case = cv
		if v.Programmes, err = w.personProgrammes(r, c); err != nil {
			return nil, err
		}
		events, err := w.svc.Registry.Timeline(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		var who []string
		for _, ev := range events {
			who = append(who, ev.Actor)
			if u, ok := ev.Summary.Args["user"].(string); ok {
				who = append(who, u)
			}
		}
		w.addNames(r, names, who...)
		services, _ := w.serviceNames(r, lng)
		for i := len(events) - 1; i >= 0; i-- { // newest first
			v.Timeline = append(v.Timeline, eventText(lng, loc, events[i], names, services, rec))
		}
	}
	now := w.clock(r).Local()
	for _, c := range rec.Consents {
		cv := consentView{ID: c.ID, Purpose: label(lng, "registry.purpose", string(c.Purpose)), Method: label(lng, "registry.method", string(c.Method)),
			Witness: c.Witness, RecordedBy: names[c.RecordedBy], RecordedAt: timeText(lng, loc, c.RecordedAt), Active: c.ActiveAt(now)}
		switch {
		case c.Recipient.OrgType != "":
			cv.Recipient = i18n.T(lng, "orgtype."+c.Recipient.OrgType, nil)
		case c.Recipient.OrgID != "":
			if o, err := w.svc.Orgs.FindOrganisationByID(ctx, c.Recipient.OrgID); err == nil {
				cv.Recipient = o.Name
			}
		}
		if c.ExpiresAt != nil {
			cv.Expires = timeText(lng, loc, *c.ExpiresAt)
		}
		if c.WithdrawnAt != nil {
			cv.Withdrawn = timeText(lng, loc, *c.WithdrawnAt)
		}
		v.Consents = append(v.Consents, cv)
	}
	v.Consent = &formKit{Lang: lng, F: newFormValues(), Errs: map[string]string{}}
	v.Consent.F.set("consent.method", string(registry.MethodSignedForm))
	v.Purposes, v.Methods = options(lng, "registry.purpose", registry.Purposes), options(lng, "registry.method", registry.ConsentMethods)
	v.OrgTypes = options(lng, "orgtype", []homeward.OrgType{homeward.OrgServiceProvider, homeward.OrgNGO, homeward.OrgEmployer, homeward.OrgInternational, homeward.OrgMinistry, homeward.OrgWelfareBoard})
	if v.CanAssign {
		v.Workers = w.caseWorkers(r)
	}
	return v, nil
}

// eventText translates a timeline entry, with the codes inside its
// arguments translated too.
func eventText(lng string, loc *time.Location, ev registry.TimelineEvent, names, services map[string]string, rec *registry.Record) eventView {
	args := map[string]any{}
	for k, v := range ev.Summary.Args {
		args[k] = v
	}
	str := func(k string) string { s, _ := args[k].(string); return s }
	key := ev.Summary.Key
	// Referral, delivery and plan steps name a service by its code and
	// may give a reason code: both in the reader's language.
	if s := str("service"); s != "" {
		args["service"] = nameOr(services, s)
	}
	if s := str("reason"); s != "" && strings.HasPrefix(string(ev.Kind), "referral_") {
		args["reason"] = label(lng, "referral.reason", s)
	}
	switch ev.Kind {
	case registry.EventStatusChanged, registry.EventReopened, registry.EventStatusFollowed:
		for _, k := range []string{"from", "to"} {
			args[k] = label(lng, "registry.status", str(k))
		}
		if b := str("because"); b != "" {
			args["because"] = i18n.T(lng, "ui_b.because."+b, nil)
		}
	case registry.EventClosed:
		args["reason"] = label(lng, "registry.closure", str("reason"))
	case registry.EventAssigned:
		worker := names[str("user")]
		if worker == "" {
			worker = i18n.T(lng, "registry.ui.case.colleague", nil)
		}
		if str("user") == "" {
			key = "registry.ui.timeline.unassigned"
		}
		args["worker"] = worker
	case registry.EventPriorityChanged:
		if _, ok := args["from"]; !ok {
			key = "registry.ui.timeline.priority_set"
		}
		for _, k := range []string{"from", "to", "priority"} {
			if s := str(k); s != "" {
				args[k] = label(lng, "registry.priority", s)
			}
		}
		if _, ok := args["to"]; !ok {
			args["to"] = args["priority"]
		}
	case registry.EventFlagAdded, registry.EventFlagRemoved:
		args["flag"] = label(lng, "registry.vulnerability", str("flag"))
	case registry.EventConsentRecorded, registry.EventConsentWithdrawn:
		args["purpose"] = label(lng, "registry.purpose", str("purpose"))
	case registry.EventReception:
		var svcs []string
		if list, ok := args["services"].([]any); ok {
			for _, s := range list {
				svcs = append(svcs, label(lng, "registry.service", fmt.Sprint(s)))
			}
		}
		if _, ok := args["point"]; !ok {
			key = "registry.ui.timeline.reception"
			args["point"] = ""
			if e := registry.LatestReturn(rec.Episodes); e != nil {
				if poe := registry.PointOfEntryByCode(e.Return.PointOfEntry); poe != nil {
					args["point"] = poe.Name(i18n.Base(lng))
				}
			}
			if args["point"] == "" {
				args["point"] = i18n.T(lng, "registry.ui.reception.desk", nil)
			}
		}
		args["services"] = strings.Join(svcs, ", ")
		if len(svcs) == 0 {
			args["services"] = i18n.T(lng, "registry.ui.none", nil)
		}
	case registry.EventImported:
		if _, ok := args["file"]; !ok {
			key = "registry.ui.timeline.imported"
		}
	}
	actor := names[ev.Actor]
	if ev.Actor == "system" || ev.Actor == "" {
		actor = i18n.T(lng, "registry.ui.system", nil)
	} else if actor == "" {
		actor = i18n.T(lng, "registry.ui.case.colleague", nil)
	}
	return eventView{At: timeText(lng, loc, ev.At), Actor: actor, Text: i18n.T(lng, key, args), MergedFrom: ev.MergedFrom}
}

func (w *Web) personPage(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if rec, err := w.svc.Registry.FindRecord(r.Context(), id); err == nil && mergedAway(rw, r, rec) {
		return nil
	}
	return w.showPerson(rw, r, id, http.StatusOK, nil)
}

// showPerson renders the person page; edit, when set, adjusts the page
// (errors, the user's input) before it is drawn.
func (w *Web) showPerson(rw http.ResponseWriter, r *http.Request, id string, status int, edit func(p *page, v *personView)) error {
	v, err := w.personPageData(r, id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "registry.ui.person.title", v)
	p.Title = v.Name
	p.Errors = v.Consent.Errs
	if edit != nil {
		edit(p, v)
	}
	return w.render(rw, status, "registry_person", p)
}

// caseFormError shows a failed case change on the person page: a stale
// version, a forbidden move or a missing closure reason.
func (w *Web) caseFormError(rw http.ResponseWriter, r *http.Request, id string, err error) error {
	switch homeward.ErrorCode(err) {
	case homeward.EPRECONDITION, homeward.ECONFLICT, homeward.EINVALID:
	default:
		return err
	}
	return w.showPerson(rw, r, id, httpx.StatusOf(err), func(p *page, v *personView) {
		p.Error = i18n.Error(p.Lang, err)
		var e *homeward.Error
		if homeward.ErrorCode(err) == homeward.EINVALID {
			if errors.As(err, &e) && e.Field != "" {
				p.Errors["case."+e.Field] = p.Error
			}
		}
	})
}

func (w *Web) caseUpdate(rw http.ResponseWriter, r *http.Request, upd func(rec *registry.Record) registry.CaseUpdate) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	rec, err := w.recordWithCase(r, id)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, _, err := w.svc.Registry.UpdateCase(r.Context(), rec.Case.ID, version, upd(rec)); err != nil {
		return w.caseFormError(rw, r, id, err)
	}
	http.Redirect(rw, r, "/people/"+id+"?ok=registry.ui.case_saved", http.StatusSeeOther)
	return nil
}

func (w *Web) caseStatus(rw http.ResponseWriter, r *http.Request) error {
	return w.caseUpdate(rw, r, func(*registry.Record) registry.CaseUpdate {
		s := registry.CaseStatus(r.PostFormValue("status"))
		return registry.CaseUpdate{Status: &s, ClosureReason: registry.ClosureReason(r.PostFormValue("closure_reason"))}
	})
}

func (w *Web) caseAssign(rw http.ResponseWriter, r *http.Request) error {
	return w.caseUpdate(rw, r, func(*registry.Record) registry.CaseUpdate {
		to := r.PostFormValue("assigned_to")
		return registry.CaseUpdate{AssignedTo: &to}
	})
}

func (w *Web) caseFlags(rw http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	return w.caseUpdate(rw, r, func(*registry.Record) registry.CaseUpdate {
		pr := registry.Priority(r.PostFormValue("priority"))
		flags := []registry.Vulnerability{}
		for _, f := range r.PostForm["vulnerabilities"] {
			flags = append(flags, registry.Vulnerability(f))
		}
		return registry.CaseUpdate{Priority: &pr, Vulnerabilities: &flags}
	})
}

func (w *Web) consentRecord(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	_ = r.ParseForm()
	f := valuesFromPost(r.PostForm)
	c := &registry.Consent{Purpose: registry.Purpose(f.V["consent.purpose"]), Method: registry.ConsentMethod(f.V["consent.method"]), Witness: strings.TrimSpace(f.V["consent.witness"])}
	if c.Purpose == registry.PurposeReferral {
		c.Recipient.OrgType = f.V["consent.referral_org_type"]
	}
	var v homeward.Validation
	if d := formDate(&v, f, "consent.expires", false, w.clock(r).Local()); !d.IsZero() {
		t := d.Latest().Add(24 * time.Hour)
		c.ExpiresAt = &t
	}
	err = v.Err()
	if err == nil {
		err = w.svc.Registry.RecordConsent(r.Context(), id, c)
	}
	if err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			return err
		}
		return w.showPerson(rw, r, id, http.StatusBadRequest, func(p *page, pv *personView) {
			pv.Consent.F = f
			_ = registryErrors(p, err, func(s string) string {
				if strings.HasPrefix(s, "recipient") {
					return "consent.referral_org_type"
				}
				if strings.HasPrefix(s, "consent.") {
					return s
				}
				return "consent." + s
			})
			for k, m := range p.Errors {
				pv.Consent.Errs[k] = m
			}
		})
	}
	http.Redirect(rw, r, "/people/"+id+"?ok=registry.ui.consent_saved#consents", http.StatusSeeOther)
	return nil
}

func (w *Web) consentWithdraw(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	cid := r.PathValue("cid")
	if !homeward.ValidID(cid) {
		return notFound()
	}
	rec, err := w.svc.Registry.FindRecord(r.Context(), id)
	if err != nil {
		return err
	}
	found := false
	for _, c := range rec.Consents {
		found = found || c.ID == cid
	}
	if !found {
		return notFound()
	}
	if err := w.svc.Registry.WithdrawConsent(r.Context(), cid); err != nil {
		if homeward.ErrorCode(err) == homeward.ECONFLICT {
			return w.caseFormError(rw, r, id, err)
		}
		return err
	}
	http.Redirect(rw, r, "/people/"+id+"?ok=registry.ui.consent_withdrawn_ok#consents", http.StatusSeeOther)
	return nil
}
