package api

import (
	"net/http"
	"strconv"

	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/registry"
	"homeward/internal/subject"
)

// routesDataProtection registers a returnee's subject access requests and
// their copy, and emergency (break-glass) access to another
// organisation's record: the same services, and so the same rules and
// audit events, as the web pages.
func (a *API) routesDataProtection() {
	a.handle("POST", "/api/v1/people/{id}/subject-requests", a.recordSubjectRequest)
	a.handle("GET", "/api/v1/people/{id}/subject-requests", a.personSubjectRequests)
	a.handle("GET", "/api/v1/people/{id}/subject-access", a.subjectCopy)
	a.handle("GET", "/api/v1/people/{id}/consents/{cid}/receipt", a.consentReceipt)
	a.handle("GET", "/api/v1/subject-requests", a.openSubjectRequests)
	a.handle("POST", "/api/v1/subject-requests/{id}/fulfil", a.fulfilSubjectRequest)

	a.handle("POST", "/api/v1/emergency-access", a.openBreakGlass)
	a.handle("GET", "/api/v1/emergency-access", a.listBreakGlass)
	a.handle("GET", "/api/v1/emergency-access/{id}", a.breakGlassRecord)
	a.handle("POST", "/api/v1/emergency-access/{id}/review", a.reviewBreakGlass)
}

// recordSubjectRequest records a request for a copy:
// {"received_on": "YYYY-MM-DD", "channel": "in_person", "note": "…"}.
func (a *API) recordSubjectRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	var in struct {
		ReceivedOn string `json:"received_on"`
		Channel    string `json:"channel"`
		Note       string `json:"note"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	q, err := a.svc.Subjects.RecordSubjectRequest(r.Context(), id, in.ReceivedOn, in.Channel, in.Note)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, q)
	return nil
}

func (a *API) personSubjectRequests(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Subjects.SubjectRequests(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[registry.SubjectRequest]{Items: nonNil(list)})
	return nil
}

// openSubjectRequests lists the organisation's requests not yet answered,
// soonest due first (?limit=, at most 200).
func (a *API) openSubjectRequests(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireActor(r); err != nil {
		return err
	}
	list, n, err := a.svc.Subjects.OpenSubjectRequests(r.Context(), limitParam(r, 50, 200))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": nonNil(list), "total": n})
	return nil
}

func (a *API) fulfilSubjectRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	q, err := a.svc.Subjects.FulfilSubjectRequest(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, q)
	return nil
}

// personLanguage is ?lang= when supported, else the person's first
// supported language, else English.
func personLanguage(r *http.Request) func(*registry.Record) string {
	return func(rec *registry.Record) string {
		if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
			return l
		}
		for _, l := range rec.Person.Languages {
			if i18n.Supported(l) {
				return l
			}
		}
		return "en"
	}
}

// consentReceipt returns the receipt of one consent after ISO/IEC TS 27560
// in the person's language (?lang= to choose); producing it is an audited
// read of the record.
func (a *API) consentReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	now := a.clock(r).Time()
	rc, err := subject.LoadReceipt(r.Context(), a.svc, id, r.PathValue("cid"), now, personLanguage(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rc.JSON(now))
	return nil
}

// subjectCopy returns everything held on the person, as the web page's
// JSON download does (?lang= names services in that language; else the
// person's first supported language). Producing it is audited.
func (a *API) subjectCopy(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	var names map[string]string
	serviceName := func(lng, code string) string {
		if names == nil {
			names = map[string]string{}
			if types, err := a.svc.Referral.ServiceTypes(r.Context()); err == nil {
				for _, t := range types {
					if n := t.Names[lng]; n != "" {
						names[t.Code] = n
					}
				}
			}
		}
		if n := names[code]; n != "" {
			return n
		}
		return code
	}
	doc, err := subject.Build(r.Context(), a.svc, id, "json", a.clock(r).Time(), personLanguage(r), serviceName)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, doc)
	return nil
}

// openBreakGlass asks for emergency read access to one record of another
// organisation: {"identifier": case number, phone or document number,
// "reason": "…"}. The answer is the access (its id and when it ends); the
// record is read with GET /api/v1/emergency-access/{id}.
func (a *API) openBreakGlass(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireActor(r); err != nil {
		return err
	}
	var in struct {
		Identifier string `json:"identifier"`
		Reason     string `json:"reason"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	g, err := a.svc.BreakGlass.OpenBreakGlass(r.Context(), in.Identifier, in.Reason)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, g)
	return nil
}

// listBreakGlass lists emergency accesses the actor may see (?person_id=,
// ?unreviewed=true, ?limit= at most 200).
func (a *API) listBreakGlass(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireActor(r); err != nil {
		return err
	}
	q := r.URL.Query()
	list, n, err := a.svc.BreakGlass.BreakGlassList(r.Context(), q.Get("person_id"), q.Get("unreviewed") == "true", limitParam(r, 50, 200))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": nonNil(list), "total": n})
	return nil
}

// breakGlassRecord reads the record through the caller's own, unexpired
// emergency access; each read is in the holder's audit chain.
func (a *API) breakGlassRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	rec, g, err := a.svc.BreakGlass.BreakGlassRecord(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"access": g, "record": rec})
	return nil
}

// reviewBreakGlass records the holder's supervisor's review: {"note": "…"}.
func (a *API) reviewBreakGlass(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.BreakGlass.ReviewBreakGlass(r.Context(), id, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// limitParam reads ?limit= between 1 and max (def when absent or invalid).
func limitParam(r *http.Request, def, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n < 1 {
		return def
	}
	return min(n, max)
}
