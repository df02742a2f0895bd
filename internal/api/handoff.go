package api

import (
	"net/http"
	"slices"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/httpx"
)

// routesHandoff registers the cross-border handoff's partners and the
// expected arrivals partners announced. The messages between instances
// go to the inbox (handoff.InboxPath), signed, not through /api/v1.
func (a *API) routesHandoff() {
	a.handle("GET", "/api/v1/partners", a.listPartners)
	a.handle("GET", "/api/v1/arrivals", a.listArrivals)
	a.handle("POST", "/api/v1/arrivals/{id}/accept", a.decideArrival(true))
	a.handle("POST", "/api/v1/arrivals/{id}/decline", a.decideArrival(false))
}

func (a *API) listPartners(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Handoff.Partners(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []handoff.Partner{}
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[handoff.Partner]{Items: list})
	return nil
}

// arrivalStates are the states ?state= may name.
var arrivalStates = []string{handoff.ArrivalExpected, handoff.ArrivalAccepted, handoff.ArrivalDeclined}

func (a *API) listArrivals(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(arrivalStates, state) {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.field.invalid_choice", Field: "state", Args: map[string]any{"value": state}, Message: "“" + state + "” is not one of the allowed values."}
	}
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		return homeward.FieldErrorf("q", "error.field.too_long", "This is too long (at most %d characters).", 100)
	}
	list, err := a.svc.Handoff.Arrivals(r.Context(), state, q)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[handoff.Arrival]{Items: list})
	return nil
}

func (a *API) decideArrival(accept bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := actorAndID(r)
		if err != nil {
			return err
		}
		arr, err := a.svc.Handoff.DecideArrival(r.Context(), id, accept)
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, arr)
		return nil
	}
}
