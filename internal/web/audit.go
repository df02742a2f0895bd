package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
)

// The audit screen: the auditor's (and administrator's) view of the audit
// log over the audit service, with filters and, for those the policy lets
// verify it, the state of the hash chains.

func (w *Web) routesAudit() {
	w.handle("GET /audit", w.auditList, true)
	w.handle("GET /audit/verify", w.auditVerify, true)
	w.handle("GET /audit/summary", w.auditSummary, true)
}

type auditRow struct {
	ID         int64
	At         string
	Actor      string
	Org        string
	Action     string
	RecordType string
	RecordID   string
	Seq        int64
	Chain      string
	Detail     string
}

type auditView struct {
	RecordType, RecordID, Actor string
	Action, Month               string
	Rows                        []auditRow
	Next                        string
	CanVerify                   bool
	Report                      *homeward.AuditReport
	Problems                    []string
}

// auditNames resolves the user and organisation ids an audit page shows:
// users the actor may list, every organisation (the directory is public).
func (w *Web) auditNames(r *http.Request) (users, orgs map[string]string) {
	ctx := r.Context()
	a := homeward.ActorFromContext(ctx)
	users, orgs = map[string]string{}, map[string]string{}
	if homeward.Can(a, homeward.ActUserRead, homeward.Resource{OrgID: a.OrgID}) {
		list, _, err := w.svc.Users.FindUsers(ctx, homeward.UserFilter{OrgID: &a.OrgID, Limit: 500})
		if err == nil {
			for _, u := range list {
				users[u.ID] = u.Name
			}
		}
	}
	if list, _, err := w.svc.Orgs.FindOrganisations(ctx, homeward.OrganisationFilter{Limit: 500}); err == nil {
		for _, o := range list {
			orgs[o.ID] = o.Name
		}
	}
	return users, orgs
}

func (w *Web) auditData(r *http.Request) (*auditView, error) {
	loc := w.clock(r).Location()
	ctx := r.Context()
	a := homeward.ActorFromContext(ctx)
	q := r.URL.Query()
	v := &auditView{RecordType: strings.TrimSpace(q.Get("record_type")), RecordID: strings.TrimSpace(q.Get("record_id")), Actor: strings.TrimSpace(q.Get("actor")),
		Action: strings.TrimSpace(q.Get("action")), Month: strings.TrimSpace(q.Get("month"))}
	f := homeward.AuditFilter{After: q.Get("after"), Limit: 50}
	if v.Action != "" {
		f.Action = &v.Action
	}
	if v.Month != "" {
		since, until, err := monthBounds(v.Month, loc)
		if err != nil {
			return nil, err
		}
		f.Since, f.Until = &since, &until
	}
	if v.RecordType != "" {
		f.RecordType = &v.RecordType
	}
	if v.RecordID != "" {
		f.RecordID = &v.RecordID
	}
	users, orgs := w.auditNames(r)
	if v.Actor != "" {
		id := v.Actor
		// A name or e-mail address of a colleague is taken for their id.
		for uid, name := range users {
			if strings.EqualFold(name, v.Actor) {
				id = uid
			}
		}
		f.ActorID = &id
	}
	events, next, err := w.svc.Audit.FindAuditEvents(ctx, f)
	if err != nil {
		if homeward.ErrorCode(err) == homeward.EINVALID {
			events, next = nil, "" // a mangled cursor: the first page
		} else {
			return nil, err
		}
	}
	for _, e := range events {
		row := auditRow{ID: e.ID, At: timeText(httpx.Locale(r), loc, e.At), Action: e.Action, RecordType: e.RecordType, RecordID: e.RecordID, Seq: e.Seq, Chain: e.Chain}
		if e.Detail != "" && e.Detail != "{}" && e.Detail != "null" {
			row.Detail = e.Detail
		}
		switch {
		case e.ActorID == "" || e.ActorID == "system":
			row.Actor = i18n.T(httpx.Locale(r), "registry.ui.system", nil)
		case users[e.ActorID] != "":
			row.Actor = users[e.ActorID]
		default:
			row.Actor = e.ActorID
		}
		row.Org = orgs[e.OrgID]
		v.Rows = append(v.Rows, row)
	}
	if next != "" {
		nq := url.Values{}
		for k, vs := range q {
			if k != "after" {
				nq[k] = vs
			}
		}
		nq.Set("after", next)
		v.Next = "/audit?" + nq.Encode()
	}
	v.CanVerify = homeward.Can(a, homeward.ActAuditVerify, homeward.Resource{Type: "audit", OrgID: a.OrgID})
	return v, nil
}

func (w *Web) auditList(rw http.ResponseWriter, r *http.Request) error {
	v, err := w.auditData(r)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "audit", w.newPage(r, "ui_b.audit.title", v))
}

// auditVerify walks the chains (the same check as `homeward audit verify`)
// and shows the list with the result above it.
func (w *Web) auditVerify(rw http.ResponseWriter, r *http.Request) error {
	report, err := w.svc.Audit.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	v, err := w.auditData(r)
	if err != nil {
		return err
	}
	v.Report = report
	lng := httpx.Locale(r)
	_, orgs := w.auditNames(r)
	for _, p := range report.Problems {
		chain := orgs[p.Chain]
		if chain == "" {
			chain = p.Chain
		}
		v.Problems = append(v.Problems, i18n.T(lng, "ui_b.audit.problem."+p.Kind, map[string]any{"chain": chain, "seq": i18n.Number(lng, p.Seq)}))
	}
	return w.render(rw, http.StatusOK, "audit", w.newPage(r, "ui_b.audit.title", v))
}

// monthBounds reads YYYY-MM as the month's first instant and the next
// month's, in loc.
func monthBounds(month string, loc *time.Location) (time.Time, time.Time, error) {
	m, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil {
		e := homeward.FieldErrorf("month", "indicator.month", "%q is not a month (YYYY-MM).", month)
		e.Args = map[string]any{"value": month}
		return time.Time{}, time.Time{}, e
	}
	return m, m.AddDate(0, 1, 0), nil
}

type activityRow struct {
	Actor, Org                         string
	Events, Records, Exports, OffHours string
	Opened, BusiestDay                 string
	Flags                              []string
	Link                               string
}

type auditSummaryView struct {
	Month    string
	Rows     []activityRow
	Unusual  int
	Criteria []string
}

// auditSummary is the auditor's monthly summary of access: each user's
// recorded actions in the month, the unusual ones first with why.
func (w *Web) auditSummary(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "ui_b.audit.summary.title", nil)
	loc := w.clock(r).Location()
	v := &auditSummaryView{Month: strings.TrimSpace(r.URL.Query().Get("month"))}
	if v.Month == "" {
		now := w.clock(r).Local()
		v.Month = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0).Format("2006-01")
	}
	for _, c := range []string{"many", "reads", "exports", "off_hours"} {
		v.Criteria = append(v.Criteria, i18n.T(p.Lang, "ui_b.audit.flag."+c+".explain", nil))
	}
	since, until, err := monthBounds(v.Month, loc)
	if err != nil {
		if ferr := formErrors(p, err, nil); ferr != nil {
			return ferr
		}
		p.Data = v
		return w.render(rw, http.StatusBadRequest, "audit_summary", p)
	}
	acts, err := w.svc.Audit.AuditActivity(r.Context(), since, until, loc)
	if err != nil {
		return err
	}
	users, orgs := w.auditNames(r)
	for _, a := range acts {
		row := activityRow{Actor: users[a.ActorID], Org: orgs[a.OrgID], Events: i18n.Number(p.Lang, a.Events), Records: i18n.Number(p.Lang, a.Records),
			Exports: i18n.Number(p.Lang, a.Exports), OffHours: i18n.Number(p.Lang, a.OffHours), Opened: i18n.Number(p.Lang, a.Opened), BusiestDay: i18n.Number(p.Lang, a.BusiestDay),
			Link: "/audit?" + url.Values{"actor": {a.ActorID}, "month": {v.Month}}.Encode()}
		if row.Actor == "" {
			row.Actor = a.ActorID
		}
		for _, f := range a.Flags {
			row.Flags = append(row.Flags, i18n.T(p.Lang, "ui_b.audit.flag."+f, nil))
		}
		if len(a.Flags) > 0 {
			v.Unusual++
		}
		v.Rows = append(v.Rows, row)
	}
	p.Data = v
	return w.render(rw, http.StatusOK, "audit_summary", p)
}
