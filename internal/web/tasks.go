package web

import (
	"html/template"
	"net/http"
	"strconv"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/referral"
)

// routesTasks registers what waits for the signed-in user: a card on the
// home page (loaded after the page) and a page of its own.
func (w *Web) routesTasks() {
	w.handle("GET /tasks", w.taskPage, true)
	w.handle("GET /tasks/panel", w.taskPanel, true)
	// The home page's task card is a partial of ours, included by name.
	if home := w.pages["home"]; home != nil {
		if b, err := templateFS.ReadFile("templates/tasks_home.html"); err == nil {
			template.Must(home.Parse(string(b)))
		}
	}
}

// ---- tasks ----

// homeTasks is how many tasks of each kind the home page's card lists; the
// task page lists up to referral.MaxTasks.
const homeTasks = 5

type taskItem struct{ Href, Text, Meta string }

type taskGroup struct {
	ID, Title string
	Items     []taskItem
	Count     int // of the kind in all, however many Items holds
}

// More reports whether there are more tasks of the kind than listed.
func (g taskGroup) More() bool { return g.Count > len(g.Items) }

type taskData struct {
	Groups []taskGroup
	Card   bool // the home page's card: a few of each kind, linking to the page
}

// tasks gathers the first perGroup of each kind of what waits for the
// actor from the referral service, with their counts: referrals to answer,
// overdue referrals and plans, plans and grants to approve (never one's own
// grant request), and the provider's grant visits and job placement checks
// that are due.
func (w *Web) tasks(r *http.Request, lng string, perGroup int) (*taskData, error) {
	loc := w.clock(r).Location()
	t, err := w.svc.Referral.Tasks(r.Context(), perGroup)
	if err != nil {
		return nil, err
	}
	names, _ := w.serviceNames(r, lng)
	refItem := func(x referral.Referral, meta string) taskItem {
		other := x.FromOrgName
		if a := homeward.ActorFromContext(r.Context()); a != nil && x.FromOrgID == a.OrgID {
			other = x.ToOrgName
		}
		return taskItem{"/referrals/" + x.ID, nameOr(names, x.ServiceType) + " — " + other, meta}
	}
	d := &taskData{}
	add := func(id string, items []taskItem, count int) {
		if len(items) > 0 {
			d.Groups = append(d.Groups, taskGroup{id, i18n.T(lng, "tasks.ui."+id, nil), items, count})
		}
	}
	var items []taskItem
	for _, x := range t.AwaitingResponse {
		items = append(items, refItem(x, i18n.T(lng, "referral.ui.respond_by", map[string]any{"date": timeText(lng, loc, x.RespondBy)})))
	}
	add("awaiting_response", items, t.Counts.AwaitingResponse)
	items = nil
	for _, x := range t.OverdueReferrals {
		items = append(items, refItem(x, stateText(lng, x.State)))
	}
	add("overdue_referrals", items, t.Counts.OverdueReferrals)
	planItems := func(ps []referral.Plan) []taskItem {
		var out []taskItem
		for _, pl := range ps {
			out = append(out, taskItem{"/plans/" + pl.ID, planPerson(lng, &pl), i18n.T(lng, "referral.ui.due", map[string]any{"date": isoText(lng, pl.DueDate)})})
		}
		return out
	}
	add("overdue_plans", planItems(t.OverduePlans), t.Counts.OverduePlans)
	add("plans_to_approve", planItems(t.PlansToApprove), t.Counts.PlansToApprove)
	items = nil
	for _, g := range t.GrantsToApprove {
		text := label(lng, "referral.kind", string(g.Kind))
		if g.Grant != nil {
			text = i18n.T(lng, "tasks.ui.grant", map[string]any{"amount": i18n.Digits(lng, strconv.FormatInt(g.Grant.Amount.Amount, 10)), "currency": g.Grant.Amount.Currency})
		}
		items = append(items, taskItem{"/deliveries/" + g.ID, text, timeText(lng, loc, g.CreatedAt)})
	}
	add("grants_to_approve", items, t.Counts.GrantsToApprove)
	items = nil
	for _, f := range t.FollowUpsDue {
		var text string
		switch {
		case f.Grant != nil:
			text = i18n.T(lng, "tasks.ui.follow_up.grant", map[string]any{"amount": i18n.Digits(lng, strconv.FormatInt(f.Grant.Amount.Amount, 10)), "currency": f.Grant.Amount.Currency})
		case f.Placement != nil:
			text = i18n.T(lng, "tasks.ui.follow_up.placement", map[string]any{"position": f.Placement.Position, "employer": f.Placement.Employer})
		default:
			continue
		}
		items = append(items, taskItem{"/deliveries/" + f.ID, text, i18n.T(lng, "referral.ui.due", map[string]any{"date": isoText(lng, f.Due)})})
	}
	add("follow_ups_due", items, t.Counts.FollowUpsDue)
	items, n := w.subjectTasks(r, lng, perGroup)
	add("subject_requests", items, n)
	items, n = w.breakGlassTasks(r, lng, perGroup)
	add("break_glass", items, n)
	items, n = w.erasureTasks(r, lng, perGroup)
	add("erasure_requests", items, n)
	return d, nil
}

func (w *Web) taskPage(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "tasks.ui.title", nil)
	d, err := w.tasks(r, p.Lang, referral.MaxTasks)
	if err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "tasks", p)
}

// taskPanel is the home page's task card, loaded after the page.
func (w *Web) taskPanel(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "tasks.ui.title", nil)
	d, err := w.tasks(r, p.Lang, homeTasks)
	if err != nil {
		return err
	}
	d.Card = true
	p.Data = d
	return w.renderFragment(rw, "tasks", "task_groups", p)
}
