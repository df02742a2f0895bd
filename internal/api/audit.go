package api

import (
	"net/http"

	"homeward"
	"homeward/internal/httpx"
)

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	f := homeward.AuditFilter{OrgID: query(r, "org_id"), RecordType: query(r, "record_type"), RecordID: query(r, "record_id"),
		ActorID: query(r, "actor_id"), After: r.URL.Query().Get("cursor"), Limit: limit}
	list, next, err := a.svc.Audit.FindAuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*homeward.AuditEvent{}
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*homeward.AuditEvent]{Items: list, Next: next})
	return nil
}

func (a *API) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.svc.Audit.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}
