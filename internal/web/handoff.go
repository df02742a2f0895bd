package web

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// routesHandoff registers the cross-border handoff pages: partners and
// keys (the operator's administrators), the handoff of one case (its
// consent, the announcement and the delivery log with the partner's
// feedback), and the expected arrivals a partner announced.
func (w *Web) routesHandoff() {
	w.handle("GET /partners", w.partnersPage, true)
	w.handle("POST /partners", w.partnerRegister, true)
	w.handle("POST /partners/{id}/keys", w.partnerKeyAdd, true)
	w.handle("POST /partners/{id}/keys/{key}/confirm", w.partnerKeyConfirm, true)
	w.handle("POST /partners/{id}/keys/{key}/revoke", w.partnerKeyRevoke, true)
	w.handle("POST /partners/{id}/status", w.partnerStatus, true)
	w.handle("GET /people/{id}/handoff", w.handoffPage, true)
	w.handle("POST /people/{id}/handoff/consent", w.handoffConsent, true)
	w.handle("POST /people/{id}/handoff", w.handoffAnnounce, true)
	w.handle("GET /arrivals", w.arrivalsPage, true)
	w.handle("POST /arrivals/{id}/decide", w.arrivalDecide, true)
	w.handle("POST /arrivals/{id}/feedback", w.arrivalFeedback, true)
	w.handle("POST /arrivals/{id}/feedback-consent", w.arrivalFeedbackConsent, true)
	w.handle("GET /people/{id}/handoff/{msg}/file", w.handoffFile, true)
	w.upload("POST /arrivals/import", w.arrivalImport, handoff.MaxBody+16<<10, func(a *homeward.Actor) error {
		return homeward.Authorize(a, homeward.ActHandoffReceive, homeward.Resource{OrgID: a.OrgID})
	})
	w.flash("handoff.ui.partner_saved", "handoff.ui.key_added", "handoff.ui.key_confirmed", "handoff.ui.key_revoked",
		"handoff.ui.consent_saved", "handoff.ui.announced", "handoff.ui.accepted", "handoff.ui.declined", "handoff.ui.feedback_queued", "handoff.ui.imported", "handoff.ui.imported_again",
		"handoff20.ui.partner_suspended", "handoff20.ui.partner_resumed", "handoff20.ui.feedback_consent_saved")
}

// fieldOptions are the fields a handoff carries, labelled.
func fieldOptions(lng string) []option {
	out := make([]option, len(handoff.Fields))
	for i, f := range handoff.Fields {
		out[i] = option{f, fieldLabel(lng, f)}
	}
	return out
}

func fieldLabel(lng, f string) string {
	if f == handoff.FieldPassport || f == handoff.FieldAssessments {
		return i18n.T(lng, "handoff.field."+f, nil)
	}
	return label(lng, "referral.field", f)
}

func fieldLabels(lng string, fs []string) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fieldLabel(lng, f)
	}
	return strings.Join(out, ", ")
}

type partnerRow struct {
	handoff.Partner
	FieldsText, Senders, Receiver string
}

type partnersData struct {
	Key      *handoff.InstanceKey
	Partners []partnerRow
	Orgs     []option
	Fields   []option
	// The registration form, kept after a refusal.
	Form     handoff.Partner
	Key64    string
	Finger   string
	Selected map[string]bool
}

func (w *Web) partnersData(r *http.Request, lng string) (*partnersData, error) {
	ctx := r.Context()
	key, err := w.svc.Handoff.HandoffInstanceKey(ctx)
	if err != nil && homeward.ErrorCode(err) != homeward.EINTERNAL {
		return nil, err
	}
	ps, err := w.svc.Handoff.Partners(ctx)
	if err != nil {
		return nil, err
	}
	orgs, _, err := w.svc.Orgs.FindOrganisations(ctx, homeward.OrganisationFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	d := &partnersData{Key: key, Fields: fieldOptions(lng), Selected: map[string]bool{}}
	for _, o := range orgs {
		names[o.ID] = o.Name
		d.Orgs = append(d.Orgs, option{o.ID, o.Name})
	}
	for _, p := range ps {
		row := partnerRow{Partner: p, FieldsText: fieldLabels(lng, p.Fields), Receiver: names[p.ReceiveOrg]}
		var s []string
		for _, o := range p.SendOrgs {
			s = append(s, names[o])
		}
		row.Senders = strings.Join(s, ", ")
		d.Partners = append(d.Partners, row)
	}
	return d, nil
}

func (w *Web) partnersPage(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActPartnerManage, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	p := w.newPage(r, "handoff.ui.partners", nil)
	d, err := w.partnersData(r, p.Lang)
	if err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "partners", p)
}

func (w *Web) partnerRegister(rw http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	f := r.PostForm
	pt := handoff.Partner{Name: f.Get("name"), Country: f.Get("country"), BaseURL: f.Get("base_url"), Fields: f["fields"], SendOrgs: f["send_orgs"], ReceiveOrg: f.Get("receive_org")}
	form := pt
	err := w.svc.Handoff.RegisterPartner(r.Context(), &pt, f.Get("public_key"), f.Get("fingerprint"))
	if err == nil {
		http.Redirect(rw, r, "/partners?ok=handoff.ui.partner_saved", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "handoff.ui.partners", nil)
	status, err := refusal(p, err, nil)
	if err != nil {
		return err
	}
	d, err := w.partnersData(r, p.Lang)
	if err != nil {
		return err
	}
	d.Form, d.Key64, d.Finger = form, f.Get("public_key"), f.Get("fingerprint")
	for _, v := range append(append(slices.Clone(form.Fields), form.SendOrgs...), form.ReceiveOrg) {
		d.Selected[v] = true
	}
	p.Data = d
	return w.render(rw, status, "partners", p)
}

var keyIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func partnerPath(r *http.Request) (string, string, error) {
	id, err := pathUUID(r)
	if err != nil {
		return "", "", err
	}
	key := r.PathValue("key")
	if key != "" && !keyIDPattern.MatchString(key) {
		return "", "", notFound()
	}
	return id, key, nil
}

// partnerAction runs a key change and shows the partners page again,
// with the outcome.
func (w *Web) partnerAction(rw http.ResponseWriter, r *http.Request, ok string, do func(id, key string) error) error {
	id, key, err := partnerPath(r)
	if err != nil {
		return err
	}
	if err := do(id, key); err != nil {
		p := w.newPage(r, "handoff.ui.partners", nil)
		status, err := refusal(p, err, nil)
		if err != nil {
			return err
		}
		pageLevel(p)
		d, derr := w.partnersData(r, p.Lang)
		if derr != nil {
			return derr
		}
		p.Data = d
		return w.render(rw, status, "partners", p)
	}
	http.Redirect(rw, r, "/partners?ok="+ok+"#partner-"+id, http.StatusSeeOther)
	return nil
}

func (w *Web) partnerKeyAdd(rw http.ResponseWriter, r *http.Request) error {
	return w.partnerAction(rw, r, "handoff.ui.key_added", func(id, _ string) error {
		_, err := w.svc.Handoff.AddPartnerKey(r.Context(), id, r.PostFormValue("public_key"))
		return err
	})
}

func (w *Web) partnerKeyConfirm(rw http.ResponseWriter, r *http.Request) error {
	return w.partnerAction(rw, r, "handoff.ui.key_confirmed", func(id, key string) error {
		return w.svc.Handoff.ConfirmPartnerKey(r.Context(), id, key, r.PostFormValue("fingerprint"))
	})
}

func (w *Web) partnerKeyRevoke(rw http.ResponseWriter, r *http.Request) error {
	return w.partnerAction(rw, r, "handoff.ui.key_revoked", func(id, key string) error {
		return w.svc.Handoff.RevokePartnerKey(r.Context(), id, key)
	})
}

type handoffLogRow struct {
	ID, Partner, Created, Status, Travel, Port, Fields, Next string
	Attempts                                                 []string
	Feedback                                                 []string
}

type handoffData struct {
	PersonID, Name, Case string
	Partners             []option
	Fields               []option
	Methods              []option
	Consents             []string // handoff consents in force, described
	Log                  []handoffLogRow
	In                   handoff.AnnounceInput
	Consent              struct {
		Partner, Method, Witness string
		Fields                   map[string]bool
	}
}

func (w *Web) handoffData(r *http.Request, lng, personID string) (*handoffData, error) {
	ctx := r.Context()
	a := homeward.ActorFromContext(ctx)
	rec, err := w.svc.Registry.FindRecord(ctx, personID)
	if err != nil {
		return nil, err
	}
	if err := homeward.Authorize(a, homeward.ActHandoffSend, homeward.Resource{Type: "person", ID: personID, OrgID: rec.Person.OrgID}); err != nil {
		return nil, err
	}
	ps, err := w.svc.Handoff.Partners(ctx)
	if err != nil {
		return nil, err
	}
	d := &handoffData{PersonID: personID, Name: rec.Person.DisplayName(), Fields: fieldOptions(lng), Methods: options(lng, "registry.method", registry.ConsentMethods)}
	d.Consent.Fields = map[string]bool{}
	names := map[string]string{}
	for _, p := range ps {
		if p.MaySend(a.OrgID) {
			d.Partners = append(d.Partners, option{p.ID, p.Name + " (" + p.Country + ")"})
			names[p.ID] = p.Name
		}
	}
	now := w.clock(r).Time()
	for _, c := range rec.Consents {
		if c.Purpose == registry.PurposeHandoff && c.ActiveAt(now) {
			d.Consents = append(d.Consents, i18n.T(lng, "handoff.ui.consent_line", map[string]any{"partner": names[c.Recipient.Partner], "fields": fieldLabels(lng, c.Fields)}))
		}
	}
	if rec.Case == nil {
		return d, nil
	}
	d.Case = rec.Case.Number
	log, err := w.svc.Handoff.HandoffLog(ctx, rec.Case.ID)
	if err != nil {
		return nil, err
	}
	loc := w.clock(r).Location()
	for _, o := range log {
		row := handoffLogRow{ID: o.ID, Partner: o.PartnerName, Created: timeText(lng, loc, o.CreatedAt), Status: i18n.T(lng, "handoff.ui.out."+o.Status, nil)}
		if an := o.Envelope.Announcement; an != nil {
			row.Travel, row.Port, row.Fields = isoText(lng, an.TravelDate), an.PortOfEntry, fieldLabels(lng, an.Fields)
		}
		if o.NextAt != nil && o.Status == handoff.OutPending {
			row.Next = timeText(lng, loc, *o.NextAt)
		}
		for _, at := range o.Log {
			row.Attempts = append(row.Attempts, i18n.T(lng, "handoff.ui.attempt_line", map[string]any{"n": i18n.Number(lng, at.Attempt), "at": timeText(lng, loc, at.At), "status": i18n.Digits(lng, strconv.Itoa(at.StatusCode))}))
		}
		for _, f := range o.Feedback {
			row.Feedback = append(row.Feedback, i18n.T(lng, "handoff.ui.feedback_line", map[string]any{"status": feedbackText(lng, f.Status, f.Milestone, f.Band), "at": timeText(lng, loc, f.At)}))
		}
		d.Log = append(d.Log, row)
	}
	return d, nil
}

func (w *Web) handoffPage(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "handoff.ui.title", nil)
	d, err := w.handoffData(r, p.Lang, id)
	if err != nil {
		return err
	}
	d.In.TravelDate = w.clock(r).Today()
	d.Consent.Method = string(registry.MethodSignedForm)
	p.Data = d
	return w.render(rw, http.StatusOK, "handoff_person", p)
}

func (w *Web) handoffConsent(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	_ = r.ParseForm()
	f := r.PostForm
	c := &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.ConsentMethod(f.Get("method")), Witness: strings.TrimSpace(f.Get("witness")),
		Recipient: registry.Recipient{Partner: f.Get("partner")}, Fields: f["fields"]}
	// The person must be one the actor may hand off (this also says
	// whether they exist), and the partner one the organisation may send to.
	if _, err := w.handoffData(r, "en", id); err != nil {
		return err
	}
	var verr error
	if c.Recipient.Partner != "" {
		pt, err := w.partnerFor(r, c.Recipient.Partner)
		if err != nil {
			return err
		}
		if pt == nil {
			verr = homeward.FieldErrorf("partner", "handoff.announce.partner_unknown", "Choose a partner your organisation may announce returns to.")
		}
	}
	for _, fl := range c.Fields {
		if !handoff.ValidField(fl) {
			verr = &homeward.Error{Code: homeward.EINVALID, Key: "handoff.field_unknown", Field: "fields", Args: map[string]any{"field": fl}, Message: fl + " is not a field a handoff can carry."}
		}
	}
	if verr == nil {
		verr = w.svc.Registry.RecordConsent(r.Context(), id, c)
	}
	if verr == nil {
		http.Redirect(rw, r, "/people/"+id+"/handoff?ok=handoff.ui.consent_saved", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "handoff.ui.title", nil)
	status, err := refusal(p, verr, func(s string) string {
		if s == "recipient" {
			return "partner"
		}
		return s
	})
	if err != nil {
		return err
	}
	d, err := w.handoffData(r, p.Lang, id)
	if err != nil {
		return err
	}
	d.Consent.Partner, d.Consent.Method, d.Consent.Witness = c.Recipient.Partner, string(c.Method), c.Witness
	for _, fl := range c.Fields {
		d.Consent.Fields[fl] = true
	}
	d.In.TravelDate = w.clock(r).Today()
	p.Data = d
	return w.render(rw, status, "handoff_person", p)
}

// partnerFor returns the partner the actor's organisation may send to
// with this id, or nil.
func (w *Web) partnerFor(r *http.Request, id string) (*handoff.Partner, error) {
	ps, err := w.svc.Handoff.Partners(r.Context())
	if err != nil {
		return nil, err
	}
	a := homeward.ActorFromContext(r.Context())
	for i := range ps {
		if ps[i].ID == id && ps[i].MaySend(a.OrgID) {
			return &ps[i], nil
		}
	}
	return nil, nil
}

func (w *Web) handoffAnnounce(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	_ = r.ParseForm()
	f := r.PostForm
	in := handoff.AnnounceInput{PartnerID: f.Get("partner_id"), TravelDate: f.Get("travel_date"), PortOfEntry: f.Get("port_of_entry"),
		Needs: f.Get("needs"), Urgent: f.Get("urgent") == "1", Message: f.Get("message")}
	_, aerr := w.svc.Handoff.AnnounceReturn(r.Context(), id, in)
	if aerr == nil {
		http.Redirect(rw, r, "/people/"+id+"/handoff?ok=handoff.ui.announced", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "handoff.ui.title", nil)
	status, err := refusal(p, aerr, nil)
	if err != nil {
		return err
	}
	d, err := w.handoffData(r, p.Lang, id)
	if err != nil {
		return err
	}
	d.In = in
	d.Consent.Method = string(registry.MethodSignedForm)
	p.Data = d
	return w.render(rw, status, "handoff_person", p)
}

type arrivalRow struct {
	ID, Partner, Travel, Port, Name, Passport, Sex, Born, Needs, Message, Received, State, Fields, PersonID string
	Urgent, Expected, Accepted                                                                              bool
	Vulnerabilities                                                                                         string
	Sent                                                                                                    []string
	CanArrived, CanPlan, FeedbackConsent                                                                    bool
	Assessments                                                                                             []arrivalAssessment
}

// arrivalAssessment is a pre-departure assessment as the arrivals page
// shows it: the answers as the partner's form named them.
type arrivalAssessment struct {
	Form, Date, Round, Score string
	Answers                  []option
}

type arrivalsData struct {
	Q, State string
	States   []option
	Methods  []option
	Rows     []arrivalRow
}

// feedbackText describes a feedback status; a sustainability band says
// its milestone and band.
func feedbackText(lng, status string, milestone int, band string) string {
	if status == handoff.StatusSustainability {
		return i18n.T(lng, "handoff20.ui.band_line", map[string]any{"months": i18n.Number(lng, milestone), "band": i18n.T(lng, "handoff20.band."+band, nil)})
	}
	return i18n.T(lng, "handoff.status."+status, nil)
}

// arrivalAssessments lays out the assessments an announcement carried.
func arrivalAssessments(lng string, as []handoff.Assessment) []arrivalAssessment {
	out := make([]arrivalAssessment, 0, len(as))
	for _, a := range as {
		v := arrivalAssessment{Form: a.Title, Date: isoText(lng, a.AnsweredOn), Round: a.Round}
		if v.Form == "" {
			v.Form = a.FormID
		}
		if a.Score != nil && a.Score.Composite != nil {
			v.Score = i18n.Digits(lng, strconv.FormatFloat(*a.Score.Composite, 'f', 2, 64))
		}
		names := make([]string, 0, len(a.Answers))
		for k := range a.Answers {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			b, _ := json.Marshal(a.Answers[k])
			v.Answers = append(v.Answers, option{k, strings.Trim(string(b), `"`)})
		}
		out = append(out, v)
	}
	return out
}

func (w *Web) arrivalsPage(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "handoff.ui.arrivals", nil)
	return w.showArrivals(rw, r, p, http.StatusOK)
}

func (w *Web) showArrivals(rw http.ResponseWriter, r *http.Request, p *page, status int) error {
	q, state := r.URL.Query().Get("q"), r.URL.Query().Get("state")
	if state != "" && state != handoff.ArrivalExpected && state != handoff.ArrivalAccepted && state != handoff.ArrivalDeclined {
		state = ""
	}
	list, err := w.svc.Handoff.Arrivals(r.Context(), state, q)
	if err != nil {
		return err
	}
	lng, loc := p.Lang, w.clock(r).Location()
	d := &arrivalsData{Q: q, State: state, States: options(lng, "handoff.arrival", []string{handoff.ArrivalExpected, handoff.ArrivalAccepted, handoff.ArrivalDeclined}),
		Methods: options(lng, "registry.method", registry.ConsentMethods)}
	for _, a := range list {
		per := &a.Announcement.Person
		row := arrivalRow{ID: a.ID, Partner: a.PartnerName + " (" + a.Country + ")", Travel: isoText(lng, a.TravelDate), Port: a.PortOfEntry,
			Name: strings.TrimSpace(per.GivenName + " " + per.FamilyName), Passport: per.Passport, Sex: label(lng, "registry.sex", per.Sex),
			Needs: a.Announcement.Needs, Message: a.Announcement.Message, Received: timeText(lng, loc, a.ReceivedAt), State: label(lng, "handoff.arrival", a.State),
			Fields: fieldLabels(lng, a.Announcement.Fields), PersonID: a.PersonID, Urgent: a.Announcement.Urgent,
			Expected: a.State == handoff.ArrivalExpected, Accepted: a.State == handoff.ArrivalAccepted, Assessments: arrivalAssessments(lng, a.Announcement.Assessments)}
		if per.DateOfBirth != "" {
			row.Born = isoText(lng, per.DateOfBirth)
		}
		if per.NativeName != "" {
			row.Name = strings.TrimSpace(row.Name + " · " + per.NativeName)
		}
		var vs []string
		for _, v := range per.Vulnerabilities {
			vs = append(vs, label(lng, "registry.vulnerability", v))
		}
		row.Vulnerabilities = strings.Join(vs, ", ")
		if full, err := w.svc.Handoff.Arrival(r.Context(), a.ID); err == nil {
			for _, f := range full.Sent {
				row.Sent = append(row.Sent, feedbackText(lng, f.Status, f.Milestone, f.Band))
			}
			row.CanArrived = row.Accepted && !slices.Contains(full.Feedback, handoff.StatusArrived)
			row.CanPlan = row.Accepted && !slices.Contains(full.Feedback, handoff.StatusPlanAgreed)
		}
		if a.PersonID != "" {
			row.FeedbackConsent, _ = w.svc.Registry.HasConsent(r.Context(), a.PersonID, registry.PurposeHandoffFeedback, registry.Recipient{Partner: a.PartnerID})
		}
		d.Rows = append(d.Rows, row)
	}
	p.Data = d
	return w.render(rw, status, "arrivals", p)
}

func (w *Web) arrivalDecide(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	accept := r.PostFormValue("decision") == "accept"
	a, derr := w.svc.Handoff.DecideArrival(r.Context(), id, accept)
	if derr != nil {
		return w.arrivalsRefused(rw, r, derr)
	}
	if accept {
		http.Redirect(rw, r, "/people/"+a.PersonID+"?ok=handoff.ui.accepted", http.StatusSeeOther)
		return nil
	}
	http.Redirect(rw, r, "/arrivals?ok=handoff.ui.declined", http.StatusSeeOther)
	return nil
}

func (w *Web) arrivalFeedback(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if ferr := w.svc.Handoff.SendArrivalFeedback(r.Context(), id, r.PostFormValue("status")); ferr != nil {
		return w.arrivalsRefused(rw, r, ferr)
	}
	http.Redirect(rw, r, "/arrivals?ok=handoff.ui.feedback_queued#arrival-"+id, http.StatusSeeOther)
	return nil
}

// partnerStatus suspends or resumes a partner.
func (w *Web) partnerStatus(rw http.ResponseWriter, r *http.Request) error {
	status := r.PostFormValue("status")
	ok := "handoff20.ui.partner_suspended"
	if status == handoff.PartnerActive {
		ok = "handoff20.ui.partner_resumed"
	}
	return w.partnerAction(rw, r, ok, func(id, _ string) error {
		_, err := w.svc.Handoff.SetPartnerStatus(r.Context(), id, status)
		return err
	})
}

// arrivalFeedbackConsent records the person's consent that the band of
// their sustainability score at 6 and 12 months goes back to the partner
// that announced them.
func (w *Web) arrivalFeedbackConsent(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	a, err := w.svc.Handoff.Arrival(r.Context(), id)
	if err != nil {
		return err
	}
	var cerr error
	if a.PersonID == "" {
		cerr = homeward.Errorf(homeward.ECONFLICT, "handoff.arrival.not_accepted", "Accept the arrival before telling the partner about it.")
	} else {
		cerr = w.svc.Registry.RecordConsent(r.Context(), a.PersonID, &registry.Consent{Purpose: registry.PurposeHandoffFeedback,
			Method: registry.ConsentMethod(r.PostFormValue("method")), Witness: strings.TrimSpace(r.PostFormValue("witness")), Recipient: registry.Recipient{Partner: a.PartnerID}})
	}
	if cerr != nil {
		return w.arrivalsRefused(rw, r, cerr)
	}
	http.Redirect(rw, r, "/arrivals?ok=handoff20.ui.feedback_consent_saved#arrival-"+id, http.StatusSeeOther)
	return nil
}

// handoffFile downloads an announcement signed as a file, for a partner
// without a reachable inbox.
func (w *Web) handoffFile(rw http.ResponseWriter, r *http.Request) error {
	if _, err := pathUUID(r); err != nil {
		return err
	}
	msg := r.PathValue("msg")
	if !homeward.ValidID(msg) {
		return notFound()
	}
	f, err := w.svc.Handoff.ExportHandoffFile(r.Context(), msg)
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Content-Disposition", `attachment; filename="handoff-`+msg+`.json"`)
	enc := json.NewEncoder(rw)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// arrivalImport receives a signed file a partner sent by other means.
func (w *Web) arrivalImport(rw http.ResponseWriter, r *http.Request) error {
	file, _, err := r.FormFile("file")
	var ack *handoff.Ack
	if err == nil {
		defer file.Close()
		raw, rerr := io.ReadAll(io.LimitReader(file, handoff.MaxBody+16<<10+1))
		if rerr != nil {
			return rerr
		}
		ack, err = w.svc.Handoff.ImportHandoffFile(r.Context(), raw)
	} else {
		err = homeward.FieldErrorf("file", "handoff.file.missing", "Choose the signed file the partner sent.")
	}
	if err != nil {
		p := w.newPage(r, "handoff.ui.arrivals", nil)
		status, rerr := refusal(p, err, nil)
		if rerr != nil {
			switch homeward.ErrorCode(err) {
			case homeward.EUNAUTHORIZED, homeward.ETOOLARGE:
				p.Error, status = i18n.Error(p.Lang, err), httpx.StatusOf(err)
			default:
				return rerr
			}
		}
		pageLevel(p)
		return w.showArrivals(rw, r, p, status)
	}
	ok := "handoff.ui.imported"
	if ack.Status == "duplicate" {
		ok = "handoff.ui.imported_again"
	}
	http.Redirect(rw, r, "/arrivals?ok="+ok, http.StatusSeeOther)
	return nil
}

// arrivalsRefused shows the arrivals page again with why an action on
// one of them was refused.
func (w *Web) arrivalsRefused(rw http.ResponseWriter, r *http.Request, cause error) error {
	p := w.newPage(r, "handoff.ui.arrivals", nil)
	status, err := refusal(p, cause, nil)
	if err != nil {
		return err
	}
	pageLevel(p)
	return w.showArrivals(rw, r, p, status)
}

// pageLevel shows a refusal of a form on a list page (partners, arrivals)
// as the page's one message: a field's message when nothing else says it.
func pageLevel(p *page) {
	if p.Error == "" {
		for _, m := range p.Errors {
			p.Error = m
		}
		p.Errors, p.Summary = nil, nil
	}
}
