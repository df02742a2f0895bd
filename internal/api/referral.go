package api

import (
	"net/http"
	"strconv"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

func (a *API) routesReferral() {
	a.handle("GET", "/api/v1/service-types", a.serviceTypes)
	a.handle("PUT", "/api/v1/service-types/{code}", a.putServiceType)
	a.handle("GET", "/api/v1/holidays", a.holidays)
	a.handle("PUT", "/api/v1/holidays/{date}", a.putHoliday)
	a.handle("DELETE", "/api/v1/holidays/{date}", a.deleteHoliday)
	a.handle("GET", "/api/v1/providers", a.listOffers)
	a.handle("POST", "/api/v1/providers", a.createOffer)
	a.handle("GET", "/api/v1/providers/{id}", a.getOffer)
	a.handle("PUT", "/api/v1/providers/{id}", a.updateOffer)
	a.handle("GET", "/api/v1/exports/hsds", a.exportHSDS)

	a.handle("POST", "/api/v1/cases/{id}/plans", a.createPlan)
	a.handle("GET", "/api/v1/plans", a.listPlans)
	a.handle("GET", "/api/v1/plans/{id}", a.getPlan)
	a.handle("PATCH", "/api/v1/plans/{id}", a.updatePlan)
	a.handle("POST", "/api/v1/plans/{id}/agree", a.agreePlan)
	a.handle("POST", "/api/v1/plans/{id}/approve", a.approvePlan)
	a.handle("GET", "/api/v1/plans/{id}/suggestions", a.planSuggestions)
	a.handle("POST", "/api/v1/plans/{id}/choices", a.planChoice)

	a.handle("POST", "/api/v1/referrals", a.sendReferral)
	a.handle("GET", "/api/v1/referrals", a.listReferrals)
	a.handle("GET", "/api/v1/referrals/stats", a.referralStats)
	a.handle("GET", "/api/v1/referrals/{id}", a.getReferral)
	a.handle("POST", "/api/v1/referrals/{id}/transitions", a.moveReferral)
	a.handle("GET", "/api/v1/referrals/{id}/deliveries", a.listDeliveries)
	a.handle("POST", "/api/v1/referrals/{id}/deliveries", a.addDelivery)
	a.handle("GET", "/api/v1/deliveries/{id}", a.getDelivery)
	a.handle("PATCH", "/api/v1/deliveries/{id}", a.updateDelivery)
	a.handle("POST", "/api/v1/deliveries/{id}/decision", a.decideGrant)
	a.handle("POST", "/api/v1/deliveries/{id}/disbursements", a.disburse)
	a.handle("POST", "/api/v1/deliveries/{id}/sessions", a.addSession)
	a.handle("GET", "/api/v1/deliveries/{id}/notes", a.sessionNotes)
	a.handle("GET", "/api/v1/tasks", a.tasks)

	a.handle("GET", "/api/v1/webhooks", a.listWebhooks)
	a.handle("POST", "/api/v1/webhooks", a.createWebhook)
	a.handle("DELETE", "/api/v1/webhooks/{id}", a.deleteWebhook)
	a.handle("GET", "/api/v1/webhooks/{id}/deliveries", a.webhookDeliveries)
}

// idAndVersion reads the path id and the If-Match version of an update.
func idAndVersion(r *http.Request) (string, int, error) {
	if _, err := requireActor(r); err != nil {
		return "", 0, err
	}
	id, err := pathID(r)
	if err != nil {
		return "", 0, err
	}
	v, err := httpx.IfMatch(r)
	return id, v, err
}

func withETag(w http.ResponseWriter, status, version int, v any) error {
	w.Header().Set("ETag", httpx.ETag(version))
	httpx.JSON(w, status, v)
	return nil
}

func actorAndID(r *http.Request) (string, error) {
	if _, err := requireActor(r); err != nil {
		return "", err
	}
	return pathID(r)
}

func (a *API) serviceTypes(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.svc.Referral.ServiceTypes(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.ServiceType]{Items: ts})
	return nil
}

func (a *API) putServiceType(w http.ResponseWriter, r *http.Request) error {
	var t referral.ServiceType
	if err := a.decode(w, r, &t); err != nil {
		return err
	}
	t.Code = r.PathValue("code")
	if err := a.svc.Referral.PutServiceType(r.Context(), &t); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, t)
	return nil
}

// holidayList is the instance's holidays: its pack's and its changes.
type holidayList struct {
	Country  string                  `json:"country"`
	Holidays []country.Holiday       `json:"holidays"`
	Changes  []country.HolidayChange `json:"changes"`
}

func (a *API) holidays(w http.ResponseWriter, r *http.Request) error {
	code, changes, err := a.svc.Referral.Holidays(r.Context())
	if err != nil {
		return err
	}
	out := holidayList{Country: code, Holidays: []country.Holiday{}, Changes: changes}
	if p := country.Lookup(code); p != nil {
		out.Holidays = p.Holidays
	}
	httpx.JSON(w, http.StatusOK, out)
	return nil
}

func (a *API) putHoliday(w http.ResponseWriter, r *http.Request) error {
	var c country.HolidayChange
	if err := a.decode(w, r, &c); err != nil {
		return err
	}
	c.Date = r.PathValue("date")
	if err := a.svc.Referral.PutHolidayChange(r.Context(), &c); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

func (a *API) deleteHoliday(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Referral.DeleteHolidayChange(r.Context(), r.PathValue("date")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listOffers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := referral.OfferFilter{ServiceType: q.Get("service_type"), Area: q.Get("area"), OrgID: q.Get("org_id"), Query: q.Get("q")}
	if f.Area != "" && !validAreaPrefix(f.Area) {
		return homeward.FieldErrorf("area", "error.field.invalid_pcode", "%q is not a known administrative area (p-code).", f.Area)
	}
	list, err := a.svc.Referral.FindOffers(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.Offer]{Items: list})
	return nil
}

func (a *API) createOffer(w http.ResponseWriter, r *http.Request) error {
	var o referral.Offer
	if err := a.decode(w, r, &o); err != nil {
		return err
	}
	if err := a.svc.Referral.CreateOffer(r.Context(), &o); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/providers/"+o.ID)
	return withETag(w, http.StatusCreated, o.Version, o)
}

func (a *API) getOffer(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	o, err := a.svc.Referral.FindOffer(r.Context(), id)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, o.Version, o)
}

func (a *API) updateOffer(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var o referral.Offer
	if err := a.decode(w, r, &o); err != nil {
		return err
	}
	if err := a.svc.Referral.UpdateOffer(r.Context(), id, v, &o); err != nil {
		return err
	}
	return withETag(w, http.StatusOK, o.Version, o)
}

func (a *API) exportHSDS(w http.ResponseWriter, r *http.Request) error {
	types, err := a.svc.Referral.ServiceTypes(r.Context())
	if err != nil {
		return err
	}
	// A country's national types and those added by the operator carry
	// their own names; the general ones are named by the catalog.
	named := map[string]string{}
	for _, t := range types {
		named[t.Code] = t.Names["en"]
	}
	h, err := a.svc.Referral.ExportHSDS(r.Context(), func(code string) string {
		if n := named[code]; n != "" {
			return n
		}
		return i18n.T("en", "referral.service."+code, nil)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="hsds.json"`)
	httpx.JSON(w, http.StatusOK, h)
	return nil
}

func (a *API) createPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	var in referral.PlanInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.svc.Referral.CreatePlan(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plans/"+p.ID)
	return withETag(w, http.StatusCreated, p.Version, p)
}

func (a *API) listPlans(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := referral.PlanFilter{CaseID: q.Get("case_id"), Status: referral.PlanStatus(q.Get("status"))}
	f.Overdue, _ = strconv.ParseBool(q.Get("overdue"))
	if f.Status != "" && !contains(referral.PlanStatuses, f.Status) {
		return homeward.FieldErrorf("status", "error.field.invalid_choice", "%q is not one of the allowed values.", f.Status)
	}
	list, err := a.svc.Referral.FindPlans(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.Plan]{Items: list})
	return nil
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	p, err := a.svc.Referral.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, p.Version, p)
}

func (a *API) updatePlan(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in referral.PlanInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.svc.Referral.UpdatePlan(r.Context(), id, v, in)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, p.Version, p)
}

func (a *API) agreePlan(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Method  string `json:"method"`
		Witness string `json:"witness"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.svc.Referral.AgreePlan(r.Context(), id, v, referral.Agreement{Method: registry.ConsentMethod(in.Method), Witness: in.Witness})
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, p.Version, p)
}

func (a *API) approvePlan(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
	}
	p, err := a.svc.Referral.ApprovePlan(r.Context(), id, v, in.Note)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, p.Version, p)
}

func (a *API) sendReferral(w http.ResponseWriter, r *http.Request) error {
	var d referral.Draft
	if err := a.decode(w, r, &d); err != nil {
		return err
	}
	ref, err := a.svc.Referral.SendReferral(r.Context(), &d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/referrals/"+ref.ID)
	return withETag(w, http.StatusCreated, ref.Version, ref)
}

func (a *API) listReferrals(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := referral.ReferralFilter{Box: referral.Box(q.Get("box")), State: referral.State(q.Get("state")), ServiceType: q.Get("service_type"),
		CaseID: q.Get("case_id"), OrgID: q.Get("org_id"), After: q.Get("cursor")}
	f.Overdue, _ = strconv.ParseBool(q.Get("overdue"))
	var v homeward.Validation
	if f.Box != "" && f.Box != referral.Inbox && f.Box != referral.Outbox {
		v.AddArgs("box", "error.field.invalid_choice", map[string]any{"value": string(f.Box)}, "%q is not one of the allowed values.", f.Box)
	}
	if f.State != "" && !contains(referral.States, f.State) {
		v.AddArgs("state", "error.field.invalid_choice", map[string]any{"value": string(f.State)}, "%q is not one of the allowed values.", f.State)
	}
	if err := v.Err(); err != nil {
		return err
	}
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	f.Limit = limit
	list, next, err := a.svc.Referral.FindReferrals(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.Referral]{Items: list, Next: next})
	return nil
}

func (a *API) referralStats(w http.ResponseWriter, r *http.Request) error {
	s, err := a.svc.Referral.ReferralStats(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, s)
	return nil
}

func (a *API) getReferral(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	ref, err := a.svc.Referral.FindReferral(r.Context(), id)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, ref.Version, ref)
}

func (a *API) moveReferral(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var t referral.Transition
	if err := a.decode(w, r, &t); err != nil {
		return err
	}
	ref, err := a.svc.Referral.MoveReferral(r.Context(), id, v, t)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, ref.Version, ref)
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Referral.FindDeliveries(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.Delivery]{Items: list})
	return nil
}

func (a *API) addDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	var in referral.DeliveryInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.Referral.AddDelivery(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/deliveries/"+d.ID)
	return withETag(w, http.StatusCreated, d.Version, d)
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	d, err := a.svc.Referral.FindDelivery(r.Context(), id)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, d.Version, d)
}

func (a *API) updateDelivery(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in referral.DeliveryInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.Referral.UpdateDelivery(r.Context(), id, v, in)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, d.Version, d)
}

func (a *API) decideGrant(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Approve *bool  `json:"approve"`
		Note    string `json:"note"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.Approve == nil {
		return homeward.FieldErrorf("approve", "error.field.required", "This field is required.")
	}
	d, err := a.svc.Referral.DecideGrant(r.Context(), id, v, *in.Approve, in.Note)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, d.Version, d)
}

func (a *API) disburse(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Tranche   int    `json:"tranche"`
		Reference string `json:"reference"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.Referral.DisburseTranche(r.Context(), id, v, in.Tranche, in.Reference)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, d.Version, d)
}

func (a *API) addSession(w http.ResponseWriter, r *http.Request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in referral.SessionInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.Referral.AddSession(r.Context(), id, v, in)
	if err != nil {
		return err
	}
	return withETag(w, http.StatusOK, d.Version, d)
}

func (a *API) sessionNotes(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	notes, err := a.svc.Referral.SessionNotes(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.Note]{Items: notes})
	return nil
}

func (a *API) tasks(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, referral.MaxTasks)
	if err != nil {
		return err
	}
	t, err := a.svc.Referral.Tasks(r.Context(), limit)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, t)
	return nil
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Referral.FindWebhooks(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.Webhook]{Items: list})
	return nil
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL string `json:"url"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	h := referral.Webhook{URL: in.URL}
	if err := a.svc.Referral.CreateWebhook(r.Context(), &h); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, h)
	return nil
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	if err := a.svc.Referral.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) webhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Referral.WebhookDeliveries(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[referral.WebhookDelivery]{Items: list})
	return nil
}
