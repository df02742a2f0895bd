package api

import (
	"net/http"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/httpx"
	"homeward/internal/match"
	"homeward/internal/registry"
)

func (a *API) routesDedupe() {
	a.handle("POST", "/api/v1/registrations/check", a.checkRegistration)
	a.handle("GET", "/api/v1/duplicates", a.listDuplicates)
	a.handle("POST", "/api/v1/duplicates/scan", a.scanDuplicates)
	a.handle("GET", "/api/v1/duplicates/model", a.duplicateModel)
	a.handle("GET", "/api/v1/duplicates/{id}", a.getDuplicate)
	a.handle("POST", "/api/v1/duplicates/{id}/decision", a.decideDuplicate)
	a.handle("POST", "/api/v1/duplicates/{id}/merge", a.mergeDuplicate)
	a.handle("GET", "/api/v1/merges/{id}", a.getMerge)
	a.handle("POST", "/api/v1/merges/{id}/unmerge", a.unmerge)
}

// explained is an explanation with its sentences in the request's language.
type explained struct {
	*match.Explanation
	Sentences []string `json:"sentences"`
}

func explain(e *match.Explanation, lang string) *explained {
	if e == nil {
		return nil
	}
	return &explained{Explanation: e, Sentences: e.Sentences(lang)}
}

type candidateJSON struct {
	dedupe.Candidate
	Explanation *explained `json:"explanation"`
}

// checkRegistration answers the likely duplicates of a registration
// before it is saved. The body is a registration as for POST
// /registrations; it need not be complete. ?except=ID leaves a person out
// (when checking an edit).
func (a *API) checkRegistration(w http.ResponseWriter, r *http.Request) error {
	var reg registry.Registration
	if err := a.decode(w, r, &reg); err != nil {
		return err
	}
	except := r.URL.Query().Get("except")
	if except != "" && !homeward.ValidID(except) {
		return &homeward.Error{Code: homeward.EINVALID, Field: "except", Key: "error.field.invalid_choice", Args: map[string]any{"value": except},
			Message: "“" + except + "” is not one of the allowed values."}
	}
	cands, err := a.svc.Dedupe.Check(r.Context(), &reg, except)
	if err != nil {
		return err
	}
	lang := httpx.Locale(r)
	out := make([]candidateJSON, len(cands))
	for i, c := range cands {
		out[i] = candidateJSON{Candidate: c, Explanation: explain(c.Explanation, lang)}
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[candidateJSON]{Items: out})
	return nil
}

type pairJSON struct {
	dedupe.Pair
	Explanation *explained `json:"explanation,omitempty"`
}

func pairOut(p *dedupe.Pair, lang string) pairJSON {
	return pairJSON{Pair: *p, Explanation: explain(p.Explanation, lang)}
}

func (a *API) listDuplicates(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := dedupe.PairFilter{Status: dedupe.Status(q.Get("status")), PersonID: q.Get("person_id"), After: q.Get("cursor")}
	var v homeward.Validation
	if f.Status != "" && !contains(dedupe.Statuses, f.Status) {
		v.AddArgs("status", "error.field.invalid_choice", map[string]any{"value": string(f.Status)}, "%q is not one of the allowed values.", f.Status)
	}
	if f.PersonID != "" && !homeward.ValidID(f.PersonID) {
		v.AddArgs("person_id", "error.field.invalid_choice", map[string]any{"value": f.PersonID}, "%q is not one of the allowed values.", f.PersonID)
	}
	if err := v.Err(); err != nil {
		return err
	}
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	f.Limit = limit
	list, next, err := a.svc.Dedupe.Pairs(r.Context(), f)
	if err != nil {
		return err
	}
	lang := httpx.Locale(r)
	out := make([]pairJSON, len(list))
	for i := range list {
		out[i] = pairOut(&list[i], lang)
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[pairJSON]{Items: out, Next: next})
	return nil
}

// duplicateModel answers the active duplicate model of the actor's
// organisation: fingerprint, weights per field and level (bounded ones
// marked), and the thresholds calibrated from its decisions and queue.
func (a *API) duplicateModel(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.svc.Dedupe.ModelReport(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

// scanDuplicates runs the duplicate scan of the actor's organisation now
// (the background job runs it on its own every half minute).
func (a *API) scanDuplicates(w http.ResponseWriter, r *http.Request) error {
	actor, err := requireActor(r)
	if err != nil {
		return err
	}
	res, err := a.svc.Dedupe.Scan(r.Context(), actor.OrgID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, res)
	return nil
}

func (a *API) getDuplicate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Dedupe.Pair(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(v.Pair.Version))
	httpx.JSON(w, http.StatusOK, map[string]any{"pair": pairOut(v.Pair, httpx.Locale(r)), "person_a": v.A, "person_b": v.B, "merges": nonNil(v.Merges)})
	return nil
}

func (a *API) decideDuplicate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		Status dedupe.Status `json:"status"`
		Note   string        `json:"note"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.svc.Dedupe.Decide(r.Context(), id, version, in.Status, in.Note)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(p.Version))
	httpx.JSON(w, http.StatusOK, pairOut(p, httpx.Locale(r)))
	return nil
}

func (a *API) mergeDuplicate(w http.ResponseWriter, r *http.Request) error {
	id, version, plan, err := decodeUpdate[dedupe.MergePlan](a, w, r)
	if err != nil {
		return err
	}
	m, err := a.svc.Dedupe.Merge(r.Context(), id, version, plan)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/merges/"+m.ID)
	httpx.JSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) getMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := a.svc.Dedupe.FindMerge(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, m)
	return nil
}

func (a *API) unmerge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := a.svc.Dedupe.Unmerge(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, m)
	return nil
}
