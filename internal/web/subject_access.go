package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/registry"
	"homeward/internal/subject"
)

// routesSubject registers the returnee's requests about their data: a
// request recorded on the person page (tracked against its deadline as a
// task), the copy of everything held on them — printable in their
// language, and as JSON — and the request marked answered.
func (w *Web) routesSubject() {
	w.handle("POST /people/{id}/subject-requests", w.subjectRecord, true)
	w.handle("GET /people/{id}/subject-access", w.subjectAccess, true)
	w.handle("POST /subject-requests/{id}/fulfil", w.subjectFulfil, true)
	w.flash("subject.ui.recorded", "subject.ui.fulfilled")
}

// subjectRow is one request on the person page.
type subjectRow struct {
	ID, Received, Due, Channel, Status string
	Open, Overdue                      bool
}

func (w *Web) subjectRows(r *http.Request, lng, personID string) ([]subjectRow, error) {
	if w.svc.Subjects == nil {
		return nil, nil
	}
	reqs, err := w.svc.Subjects.SubjectRequests(r.Context(), personID)
	if err != nil {
		return nil, err
	}
	var out []subjectRow
	for _, q := range reqs {
		row := subjectRow{ID: q.ID, Received: isoText(lng, q.ReceivedOn), Due: isoText(lng, q.DueOn), Open: q.Status == registry.SubjectOpen, Overdue: q.Overdue,
			Status: i18n.T(lng, "subject.status."+q.Status, nil)}
		if q.Channel != "" {
			row.Channel = i18n.T(lng, "subject.channel."+q.Channel, nil)
		}
		out = append(out, row)
	}
	return out, nil
}

func (w *Web) subjectRecord(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	_, err = w.svc.Subjects.RecordSubjectRequest(r.Context(), id, r.PostFormValue("received_on"), r.PostFormValue("channel"), r.PostFormValue("note"))
	if err == nil {
		http.Redirect(rw, r, "/people/"+id+"?ok=subject.ui.recorded#subject", http.StatusSeeOther)
		return nil
	}
	return w.showPerson(rw, r, id, http.StatusBadRequest, func(p *page, v *personView) {
		if status, rerr := refusal(p, err, func(f string) string { return "subject." + f }); rerr == nil && status != 0 {
			v.SubjectOpen = true
		}
	})
}

func (w *Web) subjectFulfil(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	q, err := w.svc.Subjects.FulfilSubjectRequest(r.Context(), id)
	if err != nil {
		return err
	}
	http.Redirect(rw, r, "/people/"+q.PersonID+"?ok=subject.ui.fulfilled#subject", http.StatusSeeOther)
	return nil
}

// subjectView is the printable copy.
type subjectView struct {
	Doc                                    *subject.Copy
	Name, Native, Case, Produced, Org      string
	Facts                                  []option
	Episodes                               []string
	Consents, Shared, Assessed, Plans      []string
	Readers                                []string
	Requests                               []string
	ConsentCount, SharedCount, ReaderCount int
}

// subjectAccess produces the copy of everything held on a person for them:
// in their language (their first supported language, or ?lang=), printable,
// or as JSON (?format=json). It is recorded in the audit log before it is
// shown.
func (w *Web) subjectAccess(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	format := "html"
	if r.URL.Query().Get("format") == "json" {
		format = "json"
	}
	language := func(rec *registry.Record) string {
		if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
			return l
		}
		for _, l := range rec.Person.Languages {
			if i18n.Supported(l) {
				return l
			}
		}
		return lang(r)
	}
	var names map[string]string // service names in the copy's language, read once
	serviceName := func(lng, code string) string {
		if names == nil {
			names, _ = w.serviceNames(r, lng)
		}
		return nameOr(names, code)
	}
	doc, err := subject.Build(ctx, w.svc, id, format, w.clock(r).Time(), language, serviceName)
	if err != nil {
		return err
	}
	lng := doc.Language
	if names == nil {
		names, _ = w.serviceNames(r, lng)
	}
	if format == "json" {
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Content-Disposition", `attachment; filename="subject-access-`+id+`.json"`)
		enc := json.NewEncoder(rw)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	v := w.subjectViewOf(r, lng, doc, names)
	p := w.newPage(r, "subject.doc.title", v)
	p.Lang = lng
	return w.render(rw, http.StatusOK, "subject_access", p)
}

func (w *Web) subjectViewOf(r *http.Request, lng string, doc *subject.Copy, names map[string]string) *subjectView {
	loc := w.clock(r).Location()
	rec := doc.Record
	p := &rec.Person
	v := &subjectView{Doc: doc, Name: p.DisplayName(), Native: p.FullNameNative, Org: doc.Org, Produced: timeText(lng, loc, doc.ProducedAt),
		ConsentCount: len(rec.Consents), SharedCount: len(doc.Received), ReaderCount: len(doc.Readers)}
	fact := func(key, value string) {
		if strings.TrimSpace(value) != "" {
			v.Facts = append(v.Facts, option{i18n.T(lng, key, nil), value})
		}
	}
	fact("subject.doc.sex", label(lng, "registry.sex", string(p.Sex)))
	fact("subject.doc.born", dateText(lng, p.DateOfBirth))
	fact("subject.doc.father", p.FatherName)
	fact("subject.doc.mother", p.MotherName)
	for _, d := range p.Documents {
		fact("subject.doc.document", label(lng, "registry.doctype", string(d.Type))+" "+d.Number)
	}
	for _, ph := range p.Phones {
		fact("subject.doc.phone", ph)
	}
	if p.Address.AdminArea != "" || p.Address.Text != "" {
		fact("subject.doc.address", strings.TrimSpace(areaPathName(lng, p.Address.AdminArea)+" "+p.Address.Text))
	}
	if p.Education != "" {
		fact("subject.doc.education", label(lng, "registry.education", string(p.Education)))
	}
	fact("subject.doc.languages", strings.Join(p.Languages, ", "))
	if n := len(p.Household); n > 0 {
		fact("subject.doc.household", i18n.Number(lng, n))
	}
	if c := rec.Case; c != nil {
		v.Case = c.Number
		fact("subject.doc.case_status", label(lng, "registry.status", string(c.Status)))
		var vs []string
		for _, x := range c.Vulnerabilities {
			vs = append(vs, label(lng, "registry.vulnerability", string(x)))
		}
		fact("subject.doc.vulnerabilities", strings.Join(vs, ", "))
	}
	for _, ep := range rec.Episodes {
		line := countryName(lng, ep.DestinationCountry)
		if !ep.DepartureDate.IsZero() {
			line += " · " + dateText(lng, ep.DepartureDate)
		}
		if ep.Return != nil && !ep.Return.Date.IsZero() {
			line += " – " + dateText(lng, ep.Return.Date) + " (" + label(lng, "registry.return_type", string(ep.Return.ReturnType)) + ")"
		}
		v.Episodes = append(v.Episodes, line)
	}
	for _, c := range rec.Consents {
		line := i18n.T(lng, "subject.doc.consent_given", map[string]any{"purpose": label(lng, "registry.purpose", string(c.Purpose)), "at": timeText(lng, loc, c.RecordedAt)})
		if c.WithdrawnAt != nil {
			line += " " + i18n.T(lng, "subject.doc.consent_withdrawn", map[string]any{"at": timeText(lng, loc, *c.WithdrawnAt)})
		}
		v.Consents = append(v.Consents, line)
	}
	for _, x := range doc.Received {
		var fields []string
		for _, f := range x.Fields {
			fields = append(fields, i18n.T(lng, "referral.field."+string(f), nil))
		}
		v.Shared = append(v.Shared, i18n.T(lng, "subject.doc.shared_line", map[string]any{"to": x.To, "service": x.Service, "at": timeText(lng, loc, x.SentAt),
			"fields": strings.Join(fields, ", ")}))
	}
	for _, s := range doc.Assessments {
		line := s.FormID + " · " + isoText(lng, s.AnsweredOn)
		if s.Score != nil {
			var parts []string
			for _, d := range []string{"economic", "social", "psychosocial"} {
				if x := s.Score.Dimensions[d]; x != nil {
					parts = append(parts, i18n.T(lng, "subject.doc.dimension."+d, nil)+" "+i18n.Digits(lng, fmt.Sprintf("%.2f", *x)))
				}
			}
			if len(parts) > 0 {
				line += " — " + strings.Join(parts, ", ")
			}
		}
		v.Assessed = append(v.Assessed, line)
	}
	for _, pl := range doc.Plans {
		var svcs []string
		for _, s := range pl.Services {
			svcs = append(svcs, nameOr(names, s.ServiceType))
		}
		var goals []string
		for _, g := range pl.Goals {
			goals = append(goals, "“"+g.Text+"”")
		}
		v.Plans = append(v.Plans, strings.Join(goals, "; ")+" — "+strings.Join(svcs, ", "))
	}
	for _, rd := range doc.Readers {
		line := rd.Who + " · " + timeText(lng, loc, rd.At)
		if rd.Via != "" {
			line += " · " + i18n.T(lng, "audit.via."+rd.Via, nil)
		}
		v.Readers = append(v.Readers, line)
	}
	for _, q := range doc.Requests {
		v.Requests = append(v.Requests, i18n.T(lng, "subject.doc.request_line", map[string]any{"received": isoText(lng, q.ReceivedOn), "due": isoText(lng, q.DueOn),
			"status": i18n.T(lng, "subject.status."+q.Status, nil)}))
	}
	return v
}

// subjectTasks is the task group of open subject requests.
func (w *Web) subjectTasks(r *http.Request, lng string, perGroup int) ([]taskItem, int) {
	a := homeward.ActorFromContext(r.Context())
	if w.svc.Subjects == nil || !homeward.Can(a, homeward.ActSubjectRequest, homeward.Resource{OrgID: a.OrgID}) {
		return nil, 0
	}
	reqs, n, err := w.svc.Subjects.OpenSubjectRequests(r.Context(), perGroup)
	if err != nil {
		return nil, 0
	}
	var items []taskItem
	for _, q := range reqs {
		key := "subject.ui.due"
		if q.Overdue {
			key = "subject.ui.overdue"
		}
		items = append(items, taskItem{"/people/" + q.PersonID + "#subject", q.PersonName, i18n.T(lng, key, map[string]any{"date": isoText(lng, q.DueOn)})})
	}
	return items, n
}
