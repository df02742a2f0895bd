package api

import (
	"context"
	"net/http"

	"homeward/internal/httpx"
)

// routesPrivacy registers erasure requests (four eyes), legal holds and
// retention periods with their dry-run report.
func (a *API) routesPrivacy() {
	a.handle("POST", "/api/v1/people/{id}/erasure-requests", a.requestErasure)
	a.handle("GET", "/api/v1/erasure-requests", a.listErasureRequests)
	a.handle("POST", "/api/v1/erasure-requests/{id}/approve", a.decideErasure(true))
	a.handle("POST", "/api/v1/erasure-requests/{id}/refuse", a.decideErasure(false))
	a.handle("GET", "/api/v1/legal-holds", a.listHolds)
	a.handle("POST", "/api/v1/legal-holds", a.placeHold)
	a.handle("POST", "/api/v1/legal-holds/{id}/lift", a.liftHold)
	a.handle("GET", "/api/v1/retention/rules", a.retentionRules)
	a.handle("PUT", "/api/v1/retention/rules", a.setRetentionRule)
	a.handle("GET", "/api/v1/retention/report", a.retentionReport)
	a.handle("POST", "/api/v1/retention/run", a.retentionRun)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

// withReason answers a write on the record in the path that takes
// {"reason": "…"}: do's result, with status.
func withReason[T any](a *API, status int, do func(ctx context.Context, id, reason string) (T, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := actorAndID(r)
		if err != nil {
			return err
		}
		var in reasonBody
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
		out, err := do(r.Context(), id, in.Reason)
		if err != nil {
			return err
		}
		httpx.JSON(w, status, out)
		return nil
	}
}

func (a *API) requestErasure(w http.ResponseWriter, r *http.Request) error {
	return withReason(a, http.StatusCreated, a.svc.Privacy.RequestErasure)(w, r)
}

func (a *API) listErasureRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Privacy.ErasureRequests(r.Context(), r.URL.Query().Get("person_id"), 200)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) decideErasure(approve bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := actorAndID(r)
		if err != nil {
			return err
		}
		req, err := a.svc.Privacy.DecideErasure(r.Context(), id, approve)
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, req)
		return nil
	}
}

func (a *API) listHolds(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Privacy.LegalHolds(r.Context(), r.URL.Query().Get("person_id"), 200)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// placeHold: {"person": "<person id or case number>", "reason": "…"}.
func (a *API) placeHold(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Person string `json:"person"`
		Reason string `json:"reason"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	h, err := a.svc.Privacy.PlaceHold(r.Context(), in.Person, in.Reason)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, h)
	return nil
}

func (a *API) liftHold(w http.ResponseWriter, r *http.Request) error {
	return withReason(a, http.StatusOK, a.svc.Privacy.LiftHold)(w, r)
}

func (a *API) retentionRules(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Privacy.RetentionRules(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// setRetentionRule: {"kind": "closed_case", "years": 5}; 0 years removes
// the rule.
func (a *API) setRetentionRule(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Kind  string `json:"kind"`
		Years int    `json:"years"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.Privacy.SetRetentionRules(r.Context(), map[string]int{in.Kind: in.Years}); err != nil {
		return err
	}
	return a.retentionRules(w, r)
}

// retentionReport is the dry run: what applying the periods now would do.
func (a *API) retentionReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.svc.Privacy.RunRetention(r.Context(), true)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

func (a *API) retentionRun(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.svc.Privacy.RunRetention(r.Context(), false)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}
