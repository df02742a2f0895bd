package web

import (
	"net/http"
	"net/url"
	"strings"

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
}

type auditView struct {
	RecordType, RecordID, Actor string
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
	v := &auditView{RecordType: strings.TrimSpace(q.Get("record_type")), RecordID: strings.TrimSpace(q.Get("record_id")), Actor: strings.TrimSpace(q.Get("actor"))}
	f := homeward.AuditFilter{After: q.Get("after"), Limit: 50}
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
