package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// routesDelivery registers the pages of a service delivered under an
// accepted referral, kept by the providing organisation and read by both
// sides: training (enrolment, attendance, outcome, certificate), business
// grants (request, four-eyes decision, payments, visits), counselling
// sessions (notes for the provider's counsellors only) and job placements.
func (w *Web) routesDelivery() {
	w.handle("GET /referrals/{id}/delivery", w.deliveryOfReferral, true)
	w.handle("POST /referrals/{id}/delivery", w.deliveryCreate, true)
	w.handle("GET /deliveries/{id}", w.deliveryView, true)
	w.handle("POST /deliveries/{id}", w.deliveryUpdate, true)
	w.handle("POST /deliveries/{id}/decision", w.grantDecide, true)
	w.handle("POST /deliveries/{id}/disburse", w.grantDisburse, true)
	w.handle("POST /deliveries/{id}/sessions", w.sessionAdd, true)
	w.flash("delivery.ui.saved", "delivery.ui.decided", "delivery.ui.paid", "delivery.ui.session_saved")
}

type deliveryRow struct{ A, B, C, D string }

type deliveryPage struct {
	Ref        *referral.Referral
	D          *referral.Delivery
	Kind       string
	KindText   string
	Service    string
	Person     string
	StatusText string // grant status, training outcome
	CanWrite   bool
	CanDecide  bool
	CanPay     bool
	CanSession bool
	ShowNotes  bool
	// Form holds the values of the edit form: the record's, or what was typed.
	Form      map[string]string
	Tranches  []deliveryRow // amount, planned, paid, reference
	Visits    []deliveryRow // date, trading, income, note
	Sessions  []deliveryRow // date, type, minutes, clinical
	Notes     []deliveryRow // date, text, by
	Days      []deliveryRow // attendance: date, hours
	FollowUps []deliveryRow // date, still employed, note
	Unpaid    []option      // tranches to pay
	Outcomes  []option
	Channels  []option
	Types     []option
	Periods   []option
	Requester string
	Approver  string
	// TrancheRows are the grant form's tranche lines: blank, or as typed.
	TrancheRows []trancheRow
}

// trancheRow is one line of the grant form's tranches, as typed.
type trancheRow struct{ Amount, Date string }

// serviceKind returns the delivery kind of a service type.
// kindOf is the record kind of service type code among types (generic
// when unknown).
func kindOf(types []referral.ServiceType, code string) referral.Kind {
	for _, t := range types {
		if t.Code == code {
			return t.Kind
		}
	}
	return referral.KindGeneric
}

func yesNo(lng string, b bool) string {
	return i18n.T(lng, "referral.ui."+strconv.FormatBool(b), nil)
}

func (w *Web) deliveryData(r *http.Request, lng string, ref *referral.Referral, d *referral.Delivery) *deliveryPage {
	loc := w.clock(r).Location()
	a := homeward.ActorFromContext(r.Context())
	names, types := w.serviceNames(r, lng)
	users := w.userNames(r)
	if d != nil && d.Grant != nil {
		w.addNames(r, users, d.Grant.RequestedBy, d.Grant.ApprovedBy)
	}
	kind := kindOf(types, ref.ServiceType)
	if d != nil {
		kind = d.Kind // the record keeps the kind it was made with
	}
	v := &deliveryPage{Ref: ref, D: d, Kind: string(kind), KindText: label(lng, "referral.kind", string(kind)), Service: nameOr(names, ref.ServiceType),
		Person: strings.TrimSpace(ref.Shared.GivenName + " " + ref.Shared.FamilyName), Form: map[string]string{}, TrancheRows: make([]trancheRow, 3)}
	receiver := ref.ToOrgID == a.OrgID
	res := homeward.Resource{Type: "delivery", OrgID: ref.ToOrgID}
	v.CanWrite = receiver && homeward.Can(a, homeward.ActDeliveryWrite, res) && ref.State != referral.StateNotCompleted
	v.Outcomes = options(lng, "referral.training_outcome", referral.TrainingOutcomes)
	v.Channels = options(lng, "referral.channel", referral.Channels)
	v.Types = options(lng, "referral.session_type", referral.SessionTypes)
	v.Periods = options(lng, "delivery.ui.per", referral.WagePeriods)
	if d == nil {
		v.Form["currency"] = w.currency()
		v.Form["outcome"] = string(referral.TrainingEnrolled)
		v.Form["wage_per"] = "month"
		return v
	}
	switch {
	case d.Training != nil:
		t := d.Training
		v.StatusText = label(lng, "referral.training_outcome", string(t.Outcome))
		v.Form = map[string]string{"course": t.Course, "trade": t.Trade, "isco": occupationText(t.ISCO), "start_date": t.StartDate, "end_date": t.EndDate,
			"hours": itoaZero(t.Hours), "enrolled_on": t.EnrolledOn, "outcome": string(t.Outcome), "drop_out_reason": t.DropOutReason, "certificate_ref": t.CertificateRef}
		for _, x := range t.Attendance {
			v.Days = append(v.Days, deliveryRow{A: isoText(lng, x.Date), B: i18n.Digits(lng, strconv.Itoa(x.Hours))})
		}
	case d.Grant != nil:
		g := d.Grant
		v.StatusText = label(lng, "referral.grant_status", string(g.Status))
		v.Requester, v.Approver = nameOr(users, g.RequestedBy), nameOr(users, g.ApprovedBy)
		v.CanDecide = receiver && g.MayDecide(a.UserID) && homeward.Can(a, homeward.ActGrantApprove, res)
		v.CanPay = v.CanWrite && g.Status == referral.GrantApproved
		for i, t := range g.Tranches {
			row := deliveryRow{A: i18n.Digits(lng, strconv.FormatInt(t.Amount, 10)) + " " + g.Amount.Currency, B: isoText(lng, t.PlannedDate), D: t.Reference}
			if t.DisbursedAt != nil {
				row.C = timeText(lng, loc, *t.DisbursedAt)
			} else {
				v.Unpaid = append(v.Unpaid, option{strconv.Itoa(i), i18n.T(lng, "delivery.ui.tranche_n", map[string]any{"n": i18n.Digits(lng, strconv.Itoa(i+1))}) + " — " + row.A})
			}
			v.Tranches = append(v.Tranches, row)
		}
		for _, x := range g.Visits {
			row := deliveryRow{A: isoText(lng, x.Date), B: yesNo(lng, x.Trading), D: x.Note}
			if x.MonthlyIncome != nil {
				row.C = i18n.Digits(lng, strconv.FormatInt(*x.MonthlyIncome, 10))
			}
			v.Visits = append(v.Visits, row)
		}
	case d.Counselling != nil:
		v.CanSession = receiver && homeward.Can(a, homeward.ActCounsellingNotes, homeward.Resource{Type: "counselling_notes", OrgID: d.OrgID})
		for _, s := range d.Counselling.Sessions {
			row := deliveryRow{A: isoText(lng, s.Date), B: label(lng, "referral.session_type", string(s.Type)), C: i18n.Digits(lng, itoaZero(s.Minutes))}
			if s.ClinicalReferral {
				row.D = s.ClinicalTo
			}
			v.Sessions = append(v.Sessions, row)
		}
		// The service decides who reads notes; only they are asked for them.
		if referral.MayReadNotes(a, d.OrgID) {
			if notes, err := w.svc.Referral.SessionNotes(r.Context(), d.ID); err == nil {
				v.ShowNotes = true
				dates := map[string]string{}
				for _, s := range d.Counselling.Sessions {
					dates[s.ID] = s.Date
				}
				for _, n := range notes {
					w.addNames(r, users, n.By)
					v.Notes = append(v.Notes, deliveryRow{A: i18n.Digits(lng, dates[n.SessionID]), B: n.Text, C: nameOr(users, n.By)})
				}
			}
		}
	case d.Placement != nil:
		pl := d.Placement
		v.Form = map[string]string{"employer": pl.Employer, "position": pl.Position, "isco": occupationText(pl.ISCO), "wage": strconv.FormatInt(pl.Wage.Amount, 10),
			"currency": pl.Wage.Currency, "wage_per": pl.WagePer, "start_date": pl.StartDate}
		for _, f := range pl.FollowUps {
			v.FollowUps = append(v.FollowUps, deliveryRow{A: isoText(lng, f.Date), B: yesNo(lng, f.StillEmployed), C: f.Note})
		}
	}
	return v
}

func itoaZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// postInt reads an optional whole number (Bangla digits accepted); a
// malformed one is added to v.
func postInt(v *homeward.Validation, r *http.Request, field string) (int64, bool) {
	s := strings.TrimSpace(homeward.ASCIIDigits(r.PostFormValue(field)))
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		v.Add(field, "delivery.ui.number", "Write a whole number.")
		return 0, false
	}
	return n, true
}

// deliveryInput reads the record's form for kind; cur (nil when new) keeps
// what the form does not show: attendance, visits and follow-ups so far,
// to which the form's new line is added.
func deliveryInput(r *http.Request, kind referral.Kind, cur *referral.Delivery) (referral.DeliveryInput, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	var in referral.DeliveryInput
	var bad homeward.Validation
	date := func(k string) string { return isoDate(&bad, k, v(k)) }
	num := func(field string) int64 {
		n, _ := postInt(&bad, r, field)
		return n
	}
	switch kind {
	case referral.KindTraining:
		t := &referral.Training{Course: v("course"), Trade: v("trade"), ISCO: iscoInput(&bad, "isco", v("isco")), StartDate: date("start_date"), EndDate: date("end_date"),
			Hours: int(num("hours")), EnrolledOn: date("enrolled_on"), Outcome: referral.TrainingOutcome(v("outcome")),
			DropOutReason: v("drop_out_reason"), CertificateRef: v("certificate_ref")}
		if cur != nil && cur.Training != nil {
			t.Attendance = slices.Clone(cur.Training.Attendance)
		}
		if d := v("day_date"); d != "" || v("day_hours") != "" {
			t.Attendance = append(t.Attendance, referral.Attendance{Date: isoDate(&bad, "day_date", d), Hours: int(num("day_hours"))})
		}
		in.Training = t
	case referral.KindGrant:
		if cur != nil && cur.Grant != nil {
			g := *cur.Grant
			g.Tranches = slices.Clone(g.Tranches)
			g.Visits = slices.Clone(g.Visits)
			if d := v("visit_date"); d != "" {
				x := referral.Visit{Date: isoDate(&bad, "visit_date", d), Trading: v("visit_trading") == "true", Note: v("visit_note")}
				if n, ok := postInt(&bad, r, "visit_income"); ok {
					x.MonthlyIncome = &n
				}
				g.Visits = append(g.Visits, x)
			}
			in.Grant = &g
			break
		}
		g := &referral.Grant{Amount: registry.Money{Amount: num("amount"), Currency: v("currency")}, Channel: referral.Channel(v("channel")),
			AccountRef: v("account_ref"), Purpose: v("purpose")}
		_ = r.ParseForm()
		dates := r.PostForm["tranche_date"]
		for i, s := range r.PostForm["tranche_amount"] {
			s = strings.TrimSpace(homeward.ASCIIDigits(s))
			if s == "" {
				continue
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				bad.Add("grant.tranches", "delivery.ui.number", "Write a whole number.")
				continue
			}
			t := referral.Tranche{Amount: n}
			if i < len(dates) {
				t.PlannedDate = isoDate(&bad, "tranches", dates[i])
			}
			g.Tranches = append(g.Tranches, t)
		}
		in.Grant = g
	case referral.KindCounselling:
		in.Counselling = &referral.Counselling{}
	case referral.KindPlacement:
		p := &referral.Placement{Employer: v("employer"), Position: v("position"), ISCO: iscoInput(&bad, "isco", v("isco")), Wage: registry.Money{Amount: num("wage"), Currency: v("currency")},
			WagePer: v("wage_per"), StartDate: date("start_date")}
		if cur != nil && cur.Placement != nil {
			p.FollowUps = slices.Clone(cur.Placement.FollowUps)
		}
		if d := v("fu_date"); d != "" {
			p.FollowUps = append(p.FollowUps, referral.FollowUp{Date: isoDate(&bad, "fu_date", d), StillEmployed: v("fu_employed") == "true", Note: v("fu_note")})
		}
		in.Placement = p
	}
	return in, bad.Err()
}

// typedForm is what was typed, to show again with the errors.
func typedForm(r *http.Request) map[string]string {
	_ = r.ParseForm()
	m := map[string]string{}
	for k, vs := range r.PostForm {
		if k != "csrf_token" && len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	return m
}

// deliveryInputs are the record's fields, less their kind ("training."),
// that the form names otherwise; a list's errors are shown at its new
// line's first input.
var deliveryInputs = map[string]string{"wage.amount": "wage", "wage.currency": "currency", "amount.amount": "amount", "amount.currency": "currency",
	"attendance": "day_date", "visits": "visit_date", "follow_ups": "fu_date"}

// deliveryInputName is the form's input for a field of the record:
// "training.course" is "course", "placement.wage.amount" is "wage".
func deliveryInputName(field string) string {
	i := strings.IndexByte(field, '.')
	if i <= 0 {
		return field
	}
	if input, ok := deliveryInputs[field[i+1:]]; ok {
		return input
	}
	return field[i+1:]
}

// deliveryFailed shows the record page again with the reason for a
// refusal: field errors next to the fields, others at the top.
func (w *Web) deliveryFailed(rw http.ResponseWriter, r *http.Request, err error, ref *referral.Referral, d *referral.Delivery, keepTyped bool) error {
	p := w.newPage(r, "delivery.ui.title", nil)
	status, err := refusal(p, err, deliveryInputName)
	if err != nil {
		return err
	}
	v := w.deliveryData(r, p.Lang, ref, d)
	if keepTyped {
		for k, x := range typedForm(r) {
			v.Form[k] = x
		}
		dates := r.PostForm["tranche_date"]
		for i, a := range r.PostForm["tranche_amount"] {
			if i >= 12 {
				break
			}
			row := trancheRow{Amount: a}
			if i < len(dates) {
				row.Date = dates[i]
			}
			if i < len(v.TrancheRows) {
				v.TrancheRows[i] = row
			} else {
				v.TrancheRows = append(v.TrancheRows, row)
			}
		}
	}
	p.Data = v
	return w.render(rw, status, "delivery_view", p)
}

// deliveryOfReferral leads to the referral's delivery record, or offers
// the providing organisation to start one.
func (w *Web) deliveryOfReferral(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	ref, err := w.svc.Referral.FindReferral(r.Context(), id)
	if err != nil {
		return err
	}
	ds, err := w.svc.Referral.FindDeliveries(r.Context(), id)
	if err != nil {
		return err
	}
	if len(ds) > 0 {
		http.Redirect(rw, r, "/deliveries/"+ds[0].ID, http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "delivery.ui.title", nil)
	p.Data = w.deliveryData(r, p.Lang, ref, nil)
	return w.render(rw, http.StatusOK, "delivery_view", p)
}

func (w *Web) deliveryCreate(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	ref, err := w.svc.Referral.FindReferral(r.Context(), id)
	if err != nil {
		return err
	}
	_, types := w.serviceNames(r, "en")
	in, err := deliveryInput(r, kindOf(types, ref.ServiceType), nil)
	var d *referral.Delivery
	if err == nil {
		d, err = w.svc.Referral.AddDelivery(r.Context(), id, in)
	}
	if err != nil {
		return w.deliveryFailed(rw, r, err, ref, nil, true)
	}
	http.Redirect(rw, r, "/deliveries/"+d.ID+"?ok=delivery.ui.saved", http.StatusSeeOther)
	return nil
}

// deliveryAndRef loads the record of the path and its referral.
func (w *Web) deliveryAndRef(r *http.Request) (*referral.Delivery, *referral.Referral, error) {
	id, err := pathUUID(r)
	if err != nil {
		return nil, nil, err
	}
	d, err := w.svc.Referral.FindDelivery(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	ref, err := w.svc.Referral.FindReferral(r.Context(), d.ReferralID)
	return d, ref, err
}

func (w *Web) deliveryView(rw http.ResponseWriter, r *http.Request) error {
	d, ref, err := w.deliveryAndRef(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "delivery.ui.title", nil)
	p.Data = w.deliveryData(r, p.Lang, ref, d)
	return w.render(rw, http.StatusOK, "delivery_view", p)
}

// deliveryPost runs one write on the record of the path at the form's
// version: on success the record is shown again with the flash ok; on a
// refusal the page shows the reason (and, with keepTyped, what was typed).
func (w *Web) deliveryPost(rw http.ResponseWriter, r *http.Request, ok string, keepTyped bool, write func(d *referral.Delivery, version int) error) error {
	d, ref, err := w.deliveryAndRef(r)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	if err := write(d, version); err != nil {
		return w.deliveryFailed(rw, r, err, ref, d, keepTyped)
	}
	http.Redirect(rw, r, "/deliveries/"+d.ID+"?ok="+ok, http.StatusSeeOther)
	return nil
}

func (w *Web) deliveryUpdate(rw http.ResponseWriter, r *http.Request) error {
	return w.deliveryPost(rw, r, "delivery.ui.saved", true, func(d *referral.Delivery, version int) error {
		in, err := deliveryInput(r, d.Kind, d)
		if err == nil {
			_, err = w.svc.Referral.UpdateDelivery(r.Context(), d.ID, version, in)
		}
		return err
	})
}

func (w *Web) grantDecide(rw http.ResponseWriter, r *http.Request) error {
	return w.deliveryPost(rw, r, "delivery.ui.decided", false, func(d *referral.Delivery, version int) error {
		approve := r.PostFormValue("decision") == "approve"
		_, err := w.svc.Referral.DecideGrant(r.Context(), d.ID, version, approve, r.PostFormValue("note"))
		return err
	})
}

func (w *Web) grantDisburse(rw http.ResponseWriter, r *http.Request) error {
	return w.deliveryPost(rw, r, "delivery.ui.paid", false, func(d *referral.Delivery, version int) error {
		tranche, err := strconv.Atoi(r.PostFormValue("tranche"))
		if err != nil {
			tranche = -1 // the service says there is no such tranche
		}
		_, err = w.svc.Referral.DisburseTranche(r.Context(), d.ID, version, tranche, r.PostFormValue("reference"))
		return err
	})
}

func (w *Web) sessionAdd(rw http.ResponseWriter, r *http.Request) error {
	return w.deliveryPost(rw, r, "delivery.ui.session_saved", true, func(d *referral.Delivery, version int) error {
		var bad homeward.Validation
		in := referral.SessionInput{Date: isoDate(&bad, "date", r.PostFormValue("date")), Type: referral.SessionType(r.PostFormValue("type")),
			Notes: r.PostFormValue("notes"), ClinicalReferral: r.PostFormValue("clinical") == "true", ClinicalTo: r.PostFormValue("clinical_to")}
		n, _ := postInt(&bad, r, "minutes")
		in.Minutes = int(n)
		if err := bad.Err(); err != nil {
			return err
		}
		_, err := w.svc.Referral.AddSession(r.Context(), d.ID, version, in)
		return err
	})
}
