package web

import (
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/recommend"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// routesPlan registers the reintegration plan pages: a case's plan (goals
// in the returnee's words and the services planned), the returnee's
// agreement, a supervisor's approval of plans with a grant, and the list
// of plans for supervisors (overdue, awaiting approval).
func (w *Web) routesPlan() {
	w.handle("GET /plans", w.planList, true)
	w.handle("GET /plans/{id}", w.planView, true)
	w.handle("GET /plans/providers-for", w.planProviderOptions, true)
	w.handle("POST /plans/{id}", w.planUpdate, true)
	w.handle("POST /plans/{id}/agree", w.planAgree, true)
	w.handle("POST /plans/{id}/approve", w.planApprove, true)
	w.handle("POST /plans/{id}/services/{sid}/refer", w.planRefer, true)
	w.handle("GET /people/{id}/plan", w.planOfPerson, true)
	w.handle("POST /people/{id}/plan", w.planCreate, true)
	w.flash("plan.ui.saved", "plan.ui.agreed", "plan.ui.approved")
}

func forbidden() error {
	return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
}

// ---- list ----

type planRow struct {
	ID, Person, CaseNumber, Status, StatusText, DueDate string
	Services                                            int
	Overdue                                             bool
}

type planListData struct {
	View  string // overdue, awaiting, all
	Views []option
	Rows  []planRow
}

// planPerson names the returnee of a listed plan.
func planPerson(lng string, p *referral.Plan) string {
	if p.PersonName == "" {
		return i18n.T(lng, "plan.ui.person_unknown", nil)
	}
	return p.PersonName
}

func planRows(lng string, plans []referral.Plan) []planRow {
	rows := make([]planRow, 0, len(plans))
	for i := range plans {
		p := &plans[i]
		rows = append(rows, planRow{ID: p.ID, Status: string(p.Status), StatusText: label(lng, "referral.plan_status", string(p.Status)),
			DueDate: isoText(lng, p.DueDate), Services: len(p.Services), Overdue: p.Overdue, Person: planPerson(lng, p), CaseNumber: p.CaseNumber})
	}
	return rows
}

func (w *Web) planList(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "plan.ui.list.title", nil)
	if !p.Can(string(homeward.ActPlanRead)) {
		return forbidden()
	}
	d := &planListData{View: r.URL.Query().Get("view")}
	if !slices.Contains([]string{"overdue", "awaiting", "all"}, d.View) {
		d.View = "overdue"
	}
	for _, v := range []string{"overdue", "awaiting", "all"} {
		d.Views = append(d.Views, option{v, i18n.T(p.Lang, "plan.ui.view."+v, nil)})
	}
	f := referral.PlanFilter{}
	switch d.View {
	case "overdue":
		f.Overdue = true
	case "awaiting":
		f.Status = referral.PlanAwaitingApproval
	}
	plans, err := w.svc.Referral.FindPlans(r.Context(), f)
	if err != nil {
		return err
	}
	d.Rows = planRows(p.Lang, plans)
	p.Data = d
	return w.render(rw, http.StatusOK, "plan_list", p)
}

// ---- one plan ----

type goalRow struct{ Text, Dimension, DimensionText string }

type serviceRow struct {
	ID, Type, TypeText, Provider, ProviderName, Budget, Currency, TargetDate, Note, Status, StatusText, ReferralID string
	// CanRefer: the line names a provider and may be referred now.
	CanRefer bool
}

type planView struct {
	Plan         *referral.Plan
	PersonID     string
	Person       string
	CaseNumber   string
	StatusText   string
	DueDate      string
	Goals        []goalRow
	Services     []serviceRow
	AgreedText   string
	ApprovedText string
	CanWrite     bool
	CanAgree     bool
	CanApprove   bool
	Dimensions   []option
	Types        []option
	Providers    []option
	// offers are the directory's offers, for ProviderOptions; cat the
	// catalogue that says which services an offer covers.
	offers  []referral.Offer
	cat     *referral.Catalogue
	Methods []option
	// The edit form's rows: the plan's, or what was typed.
	FormGoals    []goalRow
	FormServices []serviceRow
	Method       string
	Witness      string
	// Suggest is the suggestions panel (nil when the user does not see
	// suggestions).
	Suggest       *suggestView
	SuggestFailed bool
}

// withBlanks adds empty rows to the edit form: two goals and one service
// line, so that a line is added by filling it in.
func (v *planView) withBlanks() *planView {
	v.FormGoals = append(slices.Clone(v.FormGoals), goalRow{}, goalRow{})
	v.FormServices = append(slices.Clone(v.FormServices), serviceRow{})
	return v
}

// planFormOptions fills the choices of the plan form from the catalogue's
// types.
func (w *Web) planFormOptions(r *http.Request, lng string, v *planView, types []referral.ServiceType) {
	v.Dimensions = options(lng, "plan.ui.dimension", referral.Dimensions)
	for _, t := range types {
		if t.Active {
			v.Types = append(v.Types, option{t.Code, serviceLabel(lng, t)})
		}
	}
	// Only the providers' names are shown: their places are not counted.
	offers, _ := w.svc.Referral.FindOffers(r.Context(), referral.OfferFilter{NoPlaces: true})
	v.offers = offers
	v.cat, _ = referral.NewCatalogue(types)
	seen := map[string]bool{}
	for _, o := range offers {
		if !seen[o.OrgID] {
			seen[o.OrgID] = true
			v.Providers = append(v.Providers, option{o.OrgID, o.OrgName})
		}
	}
	v.Methods = options(lng, "registry.method", registry.ConsentMethods)
}

// ProviderOptions lists the providers for a plan line of serviceType: those
// whose offer covers it (every provider while no service is chosen), and
// the line's current provider, so that a save never drops it silently.
func (v *planView) ProviderOptions(serviceType, selected string) []option {
	if serviceType == "" || v.cat == nil {
		return v.Providers
	}
	covers := map[string]bool{selected: true}
	for _, o := range v.offers {
		if v.cat.Covers(o.ServiceType, serviceType) {
			covers[o.OrgID] = true
		}
	}
	var out []option
	for _, p := range v.Providers {
		if covers[p.Value] {
			out = append(out, p)
		}
	}
	return out
}

// planProviderOptions answers the plan editor's service choice with the
// provider select of that line, holding only the providers of the service.
func (w *Web) planProviderOptions(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActPlanWrite, homeward.Resource{Type: "plan", OrgID: a.OrgID}); err != nil {
		return err
	}
	lng := lang(r)
	_, types := w.serviceNames(r, lng)
	v := &planView{}
	w.planFormOptions(r, lng, v, types)
	row, err := strconv.Atoi(r.URL.Query().Get("row"))
	if err != nil || row < 0 {
		row = 0
	}
	return w.renderFragment(rw, "plan_view", "provider_select", providerSelect{Row: row, Options: v.ProviderOptions(r.URL.Query().Get("svc_type"), "")})
}

// providerSelect is one plan line's provider select.
type providerSelect struct {
	Row      int
	Selected string
	Options  []option
}

func (w *Web) planData(r *http.Request, lng string, pl *referral.Plan) *planView {
	loc := w.clock(r).Location()
	a := homeward.ActorFromContext(r.Context())
	names, types := w.serviceNames(r, lng)
	users := w.userNames(r)
	v := &planView{Plan: pl, PersonID: pl.PersonID, StatusText: label(lng, "referral.plan_status", string(pl.Status)), DueDate: isoText(lng, pl.DueDate)}
	v.Person, v.CaseNumber = w.personHeader(r, pl.PersonID)
	res := homeward.Resource{Type: "plan", ID: pl.ID, OrgID: pl.OrgID}
	v.CanWrite = pl.Status != referral.PlanClosed && homeward.Can(a, homeward.ActPlanWrite, res)
	// The directory (whose offers count their places left) is asked only
	// for the form's choices; a page without the form names the plan's
	// providers from their organisations.
	if v.CanWrite {
		w.planFormOptions(r, lng, v, types)
	}
	providers := map[string]string{}
	for _, o := range v.Providers {
		providers[o.Value] = o.Label
	}
	for _, s := range pl.Services {
		if id := s.ProviderOrgID; id != "" && providers[id] == "" {
			name := i18n.T(lng, "plan.ui.provider_unknown", nil)
			if o, err := w.svc.Orgs.FindOrganisationByID(r.Context(), id); err == nil {
				name = o.Name
			}
			providers[id] = name
			// A provider whose offer was withdrawn since stays a choice for
			// its own lines: otherwise the next save would silently drop it.
			if v.CanWrite {
				v.Providers = append(v.Providers, option{id, name})
			}
		}
	}
	for _, g := range pl.Goals {
		v.Goals = append(v.Goals, goalRow{g.Text, g.Dimension, label(lng, "plan.ui.dimension", g.Dimension)})
	}
	for _, s := range pl.Services {
		row := serviceRow{ID: s.ID, Type: s.ServiceType, TypeText: nameOr(names, s.ServiceType), Provider: s.ProviderOrgID, ProviderName: providers[s.ProviderOrgID],
			TargetDate: s.TargetDate, Note: s.Note, Status: string(s.Status), StatusText: label(lng, "referral.service_status", string(s.Status)), ReferralID: s.ReferralID}
		if s.Budget != nil {
			row.Budget, row.Currency = strconv.FormatInt(s.Budget.Amount, 10), s.Budget.Currency
		}
		v.Services = append(v.Services, row)
	}
	if ag := pl.Agreement; ag != nil {
		w.addNames(r, users, ag.RecordedBy)
		v.AgreedText = i18n.T(lng, "plan.ui.agreed_by", map[string]any{"method": label(lng, "registry.method", string(ag.Method)), "at": timeText(lng, loc, ag.At), "by": users[ag.RecordedBy]})
	}
	if ap := pl.Approval; ap != nil {
		w.addNames(r, users, ap.By)
		v.ApprovedText = i18n.T(lng, "plan.ui.approved_by", map[string]any{"at": timeText(lng, loc, ap.At), "by": users[ap.By]})
	}
	v.CanAgree = v.CanWrite && pl.Status == referral.PlanDraft
	v.CanApprove = pl.Status == referral.PlanAwaitingApproval && homeward.Can(a, homeward.ActPlanApprove, res)
	// Once the plan is in force, its lines are referred to their providers.
	if pl.Status == referral.PlanActive && homeward.Can(a, homeward.ActReferralSend, homeward.Resource{OrgID: pl.OrgID}) {
		for i := range v.Services {
			s := &v.Services[i]
			s.CanRefer = s.Provider != "" && (s.Status == string(referral.ServicePlanned) || s.Status == string(referral.ServiceNotDelivered))
		}
	}
	v.FormGoals, v.FormServices = v.Goals, v.Services
	// Suggestions help choose services, so they are shown to those who may
	// change the plan. A failure to rank never hides the plan itself.
	if v.CanWrite {
		if s, err := w.suggestions(r, lng, pl); err != nil {
			slog.ErrorContext(r.Context(), "ranking suggestions", "plan", pl.ID, "err", err)
			v.SuggestFailed = true
		} else {
			v.Suggest = s
		}
	}
	return v
}

// planInput reads the plan form: goal rows and service rows, aligned by
// index; empty new rows are ignored and rows ticked "remove" dropped; a
// budget without a currency is in currency (the instance's).
func planInput(r *http.Request, currency string) (referral.PlanInput, []goalRow, []serviceRow, error) {
	_ = r.ParseForm()
	f := r.PostForm
	var in referral.PlanInput
	var goals []goalRow
	dims := f["goal_dimension"]
	for i, text := range f["goal_text"] {
		dim := ""
		if i < len(dims) {
			dim = dims[i]
		}
		if strings.TrimSpace(text) == "" && dim == "" {
			continue
		}
		in.Goals = append(in.Goals, referral.Goal{Text: text, Dimension: dim})
		goals = append(goals, goalRow{Text: text, Dimension: dim})
	}
	at := func(name string, i int) string {
		if vs := f[name]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	remove := f["svc_remove"]
	var rows []serviceRow
	var err error
	for i := range f["svc_type"] {
		row := serviceRow{ID: at("svc_id", i), Type: at("svc_type", i), Provider: at("svc_provider", i), Budget: at("svc_budget", i),
			Currency: at("svc_currency", i), TargetDate: at("svc_target", i), Note: at("svc_note", i)}
		if row.ID != "" && slices.Contains(remove, row.ID) {
			continue
		}
		if row.ID == "" && row.Type == "" && row.Provider == "" && row.Budget == "" && row.TargetDate == "" && row.Note == "" {
			continue
		}
		var bad homeward.Validation
		s := referral.PlannedService{ID: row.ID, ServiceType: row.Type, ProviderOrgID: row.Provider, TargetDate: isoDate(&bad, "services", row.TargetDate), Note: row.Note}
		if berr := bad.Err(); berr != nil && err == nil {
			err = berr
		}
		if row.Budget != "" {
			n, perr := strconv.ParseInt(homeward.ASCIIDigits(row.Budget), 10, 64)
			if perr != nil && err == nil {
				err = homeward.FieldErrorf("services", "referral.money.amount", "Give an amount above zero.")
			}
			cur := row.Currency
			if cur == "" {
				cur = currency
			}
			s.Budget = &registry.Money{Amount: n, Currency: cur}
		}
		in.Services = append(in.Services, s)
		rows = append(rows, row)
	}
	return in, goals, rows, err
}

// planFormFailed shows the plan page (or the new-plan form) again with
// what was typed and why it was refused.
func (w *Web) planFormFailed(rw http.ResponseWriter, r *http.Request, p *page, err error, v *planView, goals []goalRow, rows []serviceRow) error {
	status, err := refusal(p, err, nil)
	if err != nil {
		return err
	}
	if goals != nil || rows != nil {
		v.FormGoals, v.FormServices = goals, rows
	}
	p.Data = v.withBlanks()
	return w.render(rw, status, "plan_view", p)
}

func (w *Web) planView(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	pl, err := w.svc.Referral.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "plan.ui.title", nil)
	p.Data = w.planData(r, p.Lang, pl).withBlanks()
	return w.render(rw, http.StatusOK, "plan_view", p)
}

func formVersion(r *http.Request) (int, error) {
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 1 {
		return 0, homeward.FieldErrorf("version", "error.field.required", "This field is required.")
	}
	return version, nil
}

// planPost runs one write on the plan of the path at the form's version:
// on success the plan is shown again with the flash ok; on a refusal the
// page shows the reason, with what was typed kept by failed (which may
// adjust the view).
func (w *Web) planPost(rw http.ResponseWriter, r *http.Request, ok string, write func(cur *referral.Plan, version int) error,
	failed func(v *planView) ([]goalRow, []serviceRow)) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	cur, err := w.svc.Referral.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	if err = write(cur, version); err == nil {
		http.Redirect(rw, r, "/plans/"+id+"?ok="+ok, http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "plan.ui.title", nil)
	v := w.planData(r, p.Lang, cur)
	var goals []goalRow
	var rows []serviceRow
	if failed != nil {
		goals, rows = failed(v)
	}
	return w.planFormFailed(rw, r, p, err, v, goals, rows)
}

func (w *Web) planUpdate(rw http.ResponseWriter, r *http.Request) error {
	var goals []goalRow
	var rows []serviceRow
	return w.planPost(rw, r, "plan.ui.saved", func(before *referral.Plan, version int) error {
		in, g, sr, err := planInput(r, w.currency())
		goals, rows = g, sr
		if err != nil {
			return err
		}
		pl, err := w.svc.Referral.UpdatePlan(r.Context(), before.ID, version, in)
		if err == nil {
			w.recordPlanFormChoices(r, before, pl)
		}
		return err
	}, func(*planView) ([]goalRow, []serviceRow) { return goals, rows })
}

// recordPlanFormChoices records, beside the suggestions the plan page
// showed, a service the case worker added with the plan form rather than
// from the suggestions — so that "followed the suggestion" counts every
// choice, not only those made on the suggestions panel. Nothing is
// recorded without the returnee's consent to suggestions or for a user who
// does not see them; a failure to record is logged and leaves the plan
// saved.
func (w *Web) recordPlanFormChoices(r *http.Request, before, after *referral.Plan) {
	had := map[string]bool{}
	for _, s := range before.Services {
		had[recommend.ServiceOf(s.ServiceType)] = true
	}
	var added []string
	for _, s := range after.Services {
		if svc := recommend.ServiceOf(s.ServiceType); svc != "" && !had[svc] && !slices.Contains(added, svc) {
			added = append(added, svc)
		}
	}
	if len(added) == 0 {
		return
	}
	v, err := w.suggestions(r, lang(r), before)
	if err != nil || v == nil || !v.Consent || len(v.suggested) == 0 {
		return
	}
	for _, svc := range added {
		c := &recommend.Choice{ModelVersion: v.Model, Suggested: v.suggested, Chosen: svc}
		if err := w.svc.Recommend.RecordChoice(r.Context(), after.ID, c); err != nil {
			slog.WarnContext(r.Context(), "recording a plan-form choice beside the suggestions", "plan", after.ID, "err", err)
		}
	}
}

func (w *Web) planAgree(rw http.ResponseWriter, r *http.Request) error {
	a := referral.Agreement{Method: registry.ConsentMethod(r.PostFormValue("method")), Witness: r.PostFormValue("witness")}
	return w.planPost(rw, r, "plan.ui.agreed", func(cur *referral.Plan, version int) error {
		_, err := w.svc.Referral.AgreePlan(r.Context(), cur.ID, version, a)
		return err
	}, func(v *planView) ([]goalRow, []serviceRow) {
		v.Method, v.Witness = string(a.Method), a.Witness
		return nil, nil
	})
}

func (w *Web) planApprove(rw http.ResponseWriter, r *http.Request) error {
	return w.planPost(rw, r, "plan.ui.approved", func(cur *referral.Plan, version int) error {
		_, err := w.svc.Referral.ApprovePlan(r.Context(), cur.ID, version, r.PostFormValue("note"))
		return err
	}, nil)
}

// ---- a person's plan ----

// openPlan returns the case's plan that is not closed, if any.
func (w *Web) openPlan(r *http.Request, caseID string) (*referral.Plan, error) {
	plans, err := w.svc.Referral.FindPlans(r.Context(), referral.PlanFilter{CaseID: caseID})
	if err != nil {
		return nil, err
	}
	for i := range plans {
		if plans[i].Status != referral.PlanClosed {
			return &plans[i], nil
		}
	}
	return nil, nil
}

// newPlanView is the empty plan form for a person's case.
func (w *Web) newPlanView(r *http.Request, lng string, rec *registry.Record) *planView {
	v := &planView{PersonID: rec.Person.ID, Person: strings.TrimSpace(rec.Person.GivenName + " " + rec.Person.FamilyName), CaseNumber: rec.Case.Number, CanWrite: true}
	_, types := w.serviceNames(r, lng)
	w.planFormOptions(r, lng, v, types)
	return v
}

// planOfPerson leads to the case's plan, or offers to start one.
func (w *Web) planOfPerson(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "plan.ui.title", nil)
	if !p.Can(string(homeward.ActPlanRead)) {
		return forbidden()
	}
	rec, err := w.recordWithCase(r, id)
	if err != nil {
		return err
	}
	pl, err := w.openPlan(r, rec.Case.ID)
	if err != nil {
		return err
	}
	if pl != nil {
		http.Redirect(rw, r, "/plans/"+pl.ID, http.StatusSeeOther)
		return nil
	}
	if !homeward.Can(p.Actor, homeward.ActPlanWrite, homeward.Resource{Type: "case", ID: rec.Case.ID, OrgID: rec.Person.OrgID}) {
		return notFound()
	}
	p.Data = w.newPlanView(r, p.Lang, rec).withBlanks()
	return w.render(rw, http.StatusOK, "plan_view", p)
}

func (w *Web) planCreate(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	rec, err := w.recordWithCase(r, id)
	if err != nil {
		return err
	}
	in, goals, rows, err := planInput(r, w.currency())
	var pl *referral.Plan
	if err == nil {
		pl, err = w.svc.Referral.CreatePlan(r.Context(), rec.Case.ID, in)
	}
	if err == nil {
		http.Redirect(rw, r, "/plans/"+pl.ID+"?ok=plan.ui.saved", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "plan.ui.title", nil)
	return w.planFormFailed(rw, r, p, err, w.newPlanView(r, p.Lang, rec), goals, rows)
}

// planRefer sends a referral for one planned service to the provider the
// plan names; the referral is linked to the line, so that its outcome is
// recorded against the plan.
func (w *Web) planRefer(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	pl, err := w.svc.Referral.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	s := pl.Service(r.PathValue("sid"))
	if s == nil {
		return notFound()
	}
	d := &referral.Draft{CaseID: pl.CaseID, ToOrgID: s.ProviderOrgID, ServiceType: s.ServiceType, PlanID: pl.ID, PlannedServiceID: s.ID, Note: s.Note}
	if s.TargetDate != "" && s.TargetDate >= w.clock(r).Today() {
		d.DueDate = s.TargetDate
	}
	ref, err := w.svc.Referral.SendReferral(r.Context(), d)
	if err == nil {
		http.Redirect(rw, r, "/referrals/"+ref.ID+"?ok=referral.ui.sent_ok", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "plan.ui.title", nil)
	v := w.planData(r, p.Lang, pl)
	if ferr := formErrors(p, err, nil); ferr == nil {
		if p.Error == "" {
			var msgs []string
			for _, m := range p.Errors {
				msgs = append(msgs, m)
			}
			slices.Sort(msgs)
			p.Error = strings.Join(msgs, " ")
		}
		p.Data = v.withBlanks()
		return w.render(rw, http.StatusBadRequest, "plan_view", p)
	}
	return w.planFormFailed(rw, r, p, err, v, nil, nil)
}
