package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

func (w *Web) routesDedupe() {
	w.handle("GET /people/duplicates", w.duplicatesFragment, true)
	w.handle("POST /people/duplicates", w.duplicatesFragment, true)
	w.handle("GET /duplicates", w.dupQueue, true)
	w.handle("GET /duplicates/model", w.dupModel, true)
	w.handle("POST /duplicates/scan", w.dupScan, true)
	w.handle("POST /duplicates/confirm", w.dupConfirmMany, true)
	w.handle("GET /duplicates/{id}", w.dupPair, true)
	w.handle("POST /duplicates/{id}/decision", w.dupDecide, true)
	w.handle("POST /duplicates/{id}/merge", w.dupMerge, true)
	w.handle("POST /duplicates/merges/{id}/unmerge", w.dupUnmerge, true)
}

// dupRegistrationFromForm reads what the registration form has typed so far
// (its inputs are named by JSON paths: person.given_name, person.phones,
// person.documents[0].number …), for the duplicate check.
func dupRegistrationFromForm(form url.Values) *registry.Registration {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	p := registry.Person{GivenName: get("person.given_name"), FamilyName: get("person.family_name"), FullNameNative: get("person.full_name_native"),
		Sex: registry.Sex(get("person.sex")), FatherName: get("person.father_name"), MotherName: get("person.mother_name")}
	for _, a := range strings.Split(get("person.aliases"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			p.Aliases = append(p.Aliases, a)
		}
	}
	if d, err := registry.ParseDate(get("person.date_of_birth")); err == nil {
		p.DateOfBirth = d
	}
	for _, ph := range strings.FieldsFunc(get("person.phones"), func(r rune) bool { return r == '\n' || r == ',' || r == '\r' || r == ';' }) {
		if ph = strings.TrimSpace(ph); ph != "" {
			p.Phones = append(p.Phones, ph)
		}
	}
	for i := range 10 {
		pre := "person.documents[" + strconv.Itoa(i) + "]."
		if n := get(pre + "number"); n != "" {
			p.Documents = append(p.Documents, registry.Document{Type: registry.DocumentType(get(pre + "type")), Number: n})
		}
	}
	p.Address = registry.Address{AdminArea: get("person.address.district"), Text: get("person.address.text"), Postcode: get("person.address.postcode")}
	if u := get("person.address.upazila"); u != "" {
		p.Address.AdminArea = u
	}
	if a := get("person.address.admin_area"); a != "" {
		p.Address.AdminArea = a
	}
	return &registry.Registration{Person: p}
}

// dupEnough reports whether the form holds something a duplicate could
// be found by: two letters of a name, a phone or a document number.
func dupEnough(p *registry.Person) bool {
	return len([]rune(p.GivenName+p.FamilyName)) >= 2 || len([]rune(p.FullNameNative)) >= 2 || len(p.Phones) > 0 || len(p.Documents) > 0
}

type dupCandidate struct {
	dedupe.Candidate
	Percent   string
	Sentences []string
}

type dupCheckData struct {
	Candidates []dupCandidate
	Except     string
	// Loading says, when set, that the organisation's duplicate index is
	// still loading (the fragment asks again by itself).
	Loading string
}

// duplicatesFragment answers the registration form's duplicate check: an
// HTML fragment <section id="duplicates"> listing the likely duplicates of
// what has been typed (empty when none), which re-arms itself so that htmx
// keeps asking as the form changes.
func (w *Web) duplicatesFragment(rw http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return homeward.Errorf(homeward.EINVALID, "error.body.malformed", "The request is not valid.")
	}
	reg := dupRegistrationFromForm(r.Form)
	except := r.Form.Get("except")
	if except != "" && !homeward.ValidID(except) {
		except = ""
	}
	lang := httpx.Locale(r)
	d := dupCheckData{Except: except}
	if dupEnough(&reg.Person) {
		cands, err := w.svc.Dedupe.Check(r.Context(), reg, except)
		var he *homeward.Error
		if errors.As(err, &he) && he.Key == dedupe.CheckLoadingKey {
			d.Loading = i18n.T(lang, he.Key, he.Args)
		} else if err != nil {
			return err
		}
		for _, c := range cands {
			d.Candidates = append(d.Candidates, dupCandidate{Candidate: c, Percent: dupPercent(lang, c.Score), Sentences: c.Explanation.Sentences(lang)})
		}
	} else if err := homeward.Authorize(homeward.ActorFromContext(r.Context()), homeward.ActPersonRead, homeward.Resource{Type: "person", OrgID: dupActorOrg(r)}); err != nil {
		return err
	}
	return w.dupFragment(rw, "dedupe_check", w.newPage(r, "dedupe.ui.check.title", d))
}

func dupActorOrg(r *http.Request) string {
	if a := homeward.ActorFromContext(r.Context()); a != nil {
		return a.OrgID
	}
	return ""
}

func dupPercent(lang string, p float64) string {
	return i18n.Digits(lang, fmt.Sprintf("%.0f%%", 100*p))
}

// dupFragment renders a page's content without the layout.
func (w *Web) dupFragment(rw http.ResponseWriter, name string, p *page) error {
	t, ok := w.pages[name]
	if !ok {
		return fmt.Errorf("no template %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", p); err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Content-Language", p.Lang)
	_, err := rw.Write(buf.Bytes())
	return err
}

type dupTab struct {
	Status dedupe.Status
	Label  string
	On     bool
}

type dupQueueItem struct {
	Pair    dedupe.Pair
	A, B    string
	Percent string
}

type dupQueueData struct {
	Tabs   []dupTab
	Status dedupe.Status
	Items  []dupQueueItem
	Next   string
	Scan   *dedupe.ScanResult
	// Count is the number of pairs with Status; Bulk, the result of a
	// bulk confirmation just made.
	Count int
	Bulk  string
	// HeldBack says how many open pairs calibration keeps out of the
	// queue (empty when none); All shows them anyway.
	HeldBack string
	All      bool
	// Progress says how far the running scan is, or when the last one
	// finished (in this process).
	Progress string
}

func (w *Web) dupQueue(rw http.ResponseWriter, r *http.Request) error {
	loc := w.clock(r).Location()
	lang := httpx.Locale(r)
	status := dedupe.Status(r.URL.Query().Get("status"))
	if !slices.Contains(dedupe.Statuses, status) {
		status = dedupe.StatusOpen
	}
	filter := dedupe.PairFilter{Status: status, After: r.URL.Query().Get("cursor"), Limit: 50}
	all := r.URL.Query().Get("all") == "1"
	var held string
	if status == dedupe.StatusOpen && !all {
		// The queue shows what calibration keeps: the most likely pairs.
		cal, err := w.svc.Dedupe.Calibration(r.Context())
		if err != nil {
			return err
		}
		filter.MinScore = cal.PossibleThreshold
		if cal.Open > cal.Queued {
			held = i18n.T(lang, "dedupe_model.held_back", map[string]any{"queued": i18n.Number(lang, cal.Queued), "open": i18n.Number(lang, cal.Open),
				"held": i18n.Number(lang, cal.Open-cal.Queued), "threshold": dupPercent(lang, cal.PossibleThreshold)})
		}
	}
	list, next, err := w.svc.Dedupe.Pairs(r.Context(), filter)
	if err != nil {
		return err
	}
	counts, err := w.svc.Dedupe.CountPairs(r.Context())
	if err != nil {
		return err
	}
	d := dupQueueData{Status: status, Next: next, Count: counts[status], All: all, HeldBack: held}
	switch pr := w.svc.Dedupe.Progress(dupActorOrg(r)); {
	case pr.Running:
		d.Progress = i18n.T(lang, "dedupe.scan.running", map[string]any{"done": i18n.Number(lang, pr.Done), "total": i18n.Number(lang, pr.Total), "raised": i18n.Number(lang, pr.Raised)})
	case !pr.FinishedAt.IsZero():
		d.Progress = i18n.T(lang, "dedupe.scan.finished", map[string]any{"at": timeText(lang, loc, pr.FinishedAt), "people": i18n.Number(lang, pr.LastPeople),
			"raised": i18n.Number(lang, pr.LastRaised), "seconds": i18n.Digits(lang, fmt.Sprintf("%.1f", pr.LastDuration.Seconds()))})
	}
	for _, s := range dedupe.Statuses {
		d.Tabs = append(d.Tabs, dupTab{Status: s, On: s == status,
			Label: i18n.T(lang, "ui_b.dedupe.tab", map[string]any{"status": i18n.T(lang, "dedupe.status."+string(s), nil), "n": i18n.Number(lang, counts[s])})})
	}
	q := r.URL.Query()
	if q.Has("confirmed") {
		n, _ := strconv.Atoi(q.Get("confirmed"))
		f, _ := strconv.Atoi(q.Get("refused"))
		d.Bulk = i18n.T(lang, "ui_b.dedupe.bulk_done", map[string]any{"n": i18n.Number(lang, n)})
		if f > 0 {
			d.Bulk += " " + i18n.T(lang, "ui_b.dedupe.bulk_refused", map[string]any{"n": i18n.Number(lang, f)})
		}
	}
	names := map[string]string{}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := "—"
		if rec, err := w.svc.Registry.FindRecord(r.Context(), id); err == nil {
			n = rec.Person.DisplayName()
		}
		names[id] = n
		return n
	}
	for _, p := range list {
		d.Items = append(d.Items, dupQueueItem{Pair: p, A: name(p.PersonA), B: name(p.PersonB), Percent: dupPercent(lang, p.Score)})
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("raised")); err == nil {
		d.Scan = &dedupe.ScanResult{Raised: n}
	}
	p := w.newPage(r, "dedupe.ui.queue.title", d)
	if q.Has("none") {
		p.Error = i18n.T(lang, "ui_b.dedupe.none_chosen", nil)
	}
	return w.render(rw, http.StatusOK, "dedupe_queue", p)
}

func (w *Web) dupScan(rw http.ResponseWriter, r *http.Request) error {
	res, err := w.svc.Dedupe.Scan(r.Context(), dupActorOrg(r))
	if err != nil {
		return err
	}
	http.Redirect(rw, r, "/duplicates?raised="+strconv.Itoa(res.Raised), http.StatusSeeOther)
	return nil
}

type dupFieldRow struct {
	Field, Label string
	A, B         string
	Same         bool
	Choosable    bool // a merge may take either side's value
}

type dupPairData struct {
	View      *dedupe.PairView
	Percent   string
	Decision  string
	Sentences []string
	Rows      []dupFieldRow
	Current   *dedupe.Merge // the merge that joined them, while merged
	KeptName  string
	History   []string
	Note      string
}

func dupAreaName(lang, code string) string {
	var parts []string
	for _, a := range reference.AreaPath(code) {
		if a.Level == "district" || a.Level == "upazila" {
			parts = append(parts, a.Name(lang))
		}
	}
	if len(parts) == 0 {
		return code
	}
	return strings.Join(parts, ", ")
}

// dupRows lays the two records side by side, field by field.
func dupRows(lang string, a, b *registry.Record) []dupFieldRow {
	docs := func(p *registry.Person) string {
		var s []string
		for _, d := range p.Documents {
			s = append(s, i18n.T(lang, "registry.doctype."+string(d.Type), nil)+" "+d.Number)
		}
		return strings.Join(s, "; ")
	}
	cases := func(r *registry.Record) string {
		if r.Case == nil {
			return ""
		}
		return r.Case.Number
	}
	sex := func(p *registry.Person) string {
		if p.Sex == "" {
			return ""
		}
		return i18n.T(lang, "registry.sex."+string(p.Sex), nil)
	}
	address := func(p *registry.Person) string {
		return strings.Trim(strings.Join([]string{p.Address.Text, dupAreaName(lang, p.Address.AdminArea), p.Address.Postcode}, ", "), ", ")
	}
	type f struct {
		field, key string
		v          func(*registry.Record) string
		choosable  bool
	}
	fields := []f{
		{"given_name", "dedupe.field.given_name", func(r *registry.Record) string { return r.Person.GivenName }, true},
		{"family_name", "dedupe.field.family_name", func(r *registry.Record) string { return r.Person.FamilyName }, true},
		{"full_name_native", "dedupe.field.full_name_native", func(r *registry.Record) string { return r.Person.FullNameNative }, true},
		{"aliases", "dedupe.field.aliases", func(r *registry.Record) string { return strings.Join(r.Person.Aliases, "; ") }, false},
		{"sex", "dedupe.field.sex", func(r *registry.Record) string { return sex(&r.Person) }, true},
		{"date_of_birth", "dedupe.field.date_of_birth", func(r *registry.Record) string { return i18n.Digits(lang, r.Person.DateOfBirth.String()) }, true},
		{"father_name", "dedupe.field.father_name", func(r *registry.Record) string { return r.Person.FatherName }, true},
		{"mother_name", "dedupe.field.mother_name", func(r *registry.Record) string { return r.Person.MotherName }, true},
		{"phones", "dedupe.field.phones", func(r *registry.Record) string { return strings.Join(r.Person.Phones, ", ") }, false},
		{"documents", "dedupe.field.documents", func(r *registry.Record) string { return docs(&r.Person) }, false},
		{"address", "dedupe.field.address", func(r *registry.Record) string { return address(&r.Person) }, true},
		{"external_id", "dedupe.field.external_id", func(r *registry.Record) string { return r.Person.ExternalID }, false},
		{"case", "dedupe.field.case", cases, false},
		{"consents", "dedupe.field.consents", func(r *registry.Record) string { return i18n.Digits(lang, strconv.Itoa(len(r.Consents))) }, false},
	}
	out := make([]dupFieldRow, 0, len(fields))
	for _, x := range fields {
		va, vb := x.v(a), x.v(b)
		out = append(out, dupFieldRow{Field: x.field, Label: i18n.T(lang, x.key, nil), A: va, B: vb, Same: va == vb, Choosable: x.choosable && va != vb && va != "" && vb != ""})
	}
	return out
}

func (w *Web) dupPair(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	p, err := w.dupPairPage(r, id)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "dedupe_pair", p)
}

func (w *Web) dupPairPage(r *http.Request, id string) (*page, error) {
	lang := httpx.Locale(r)
	v, err := w.svc.Dedupe.Pair(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := &dupPairData{View: v, Percent: dupPercent(lang, v.Pair.Score), Decision: i18n.T(lang, "match.decision."+strings.ReplaceAll(v.Pair.Decision, "-", "_"), nil),
		Rows: dupRows(lang, v.A, v.B), Note: v.Pair.Note}
	if v.Pair.Explanation != nil {
		d.Sentences = v.Pair.Explanation.Sentences(lang)
	}
	day := func(t time.Time) string { return isoText(lang, t.Format(time.DateOnly)) }
	for i := range v.Merges {
		m := &v.Merges[i]
		if m.ID == v.Pair.MergeID {
			d.Current = m
			d.KeptName = v.A.Person.DisplayName()
			if m.KeptID == v.B.Person.ID {
				d.KeptName = v.B.Person.DisplayName()
			}
		}
		h := i18n.T(lang, "dedupe.ui.history.merge", map[string]any{"date": day(m.MergedAt)})
		if m.UndoneAt != nil {
			h += " — " + i18n.T(lang, "dedupe.ui.history.undone", map[string]any{"date": day(*m.UndoneAt)})
		}
		d.History = append(d.History, h)
	}
	return w.newPage(r, "dedupe.ui.pair.title", d), nil
}

func (w *Web) dupDecide(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := w.svc.Dedupe.Decide(r.Context(), id, version, dedupe.Status(r.PostFormValue("status")), r.PostFormValue("note")); err != nil {
		return w.dupPairError(rw, r, id, err)
	}
	http.Redirect(rw, r, "/duplicates/"+id+"?ok=dedupe.ui.decided", http.StatusSeeOther)
	return nil
}

// dupPairError shows the pair again with the error of a refused action; other
// errors (not found, forbidden) become the error page.
func (w *Web) dupPairError(rw http.ResponseWriter, r *http.Request, id string, err error) error {
	switch homeward.ErrorCode(err) {
	case homeward.EINVALID, homeward.ECONFLICT, homeward.EPRECONDITION:
	default:
		return err
	}
	p, perr := w.dupPairPage(r, id)
	if perr != nil {
		return perr
	}
	p.Error = i18n.Error(p.Lang, err)
	return w.render(rw, httpx.StatusOf(err), "dedupe_pair", p)
}

func (w *Web) dupMerge(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	plan := dedupe.MergePlan{Keep: r.PostFormValue("keep"), Fields: map[string]dedupe.Side{}}
	// The form names each choice by the person whose value to keep.
	other := r.PostFormValue("person_a")
	if other == plan.Keep {
		other = r.PostFormValue("person_b")
	}
	for _, f := range dedupe.MergeFields {
		switch v := r.PostFormValue("field." + f); v {
		case "":
		case plan.Keep:
			plan.Fields[f] = dedupe.SideKept
		case other:
			plan.Fields[f] = dedupe.SideAbsorbed
		}
	}
	m, err := w.svc.Dedupe.Merge(r.Context(), id, version, plan)
	if err != nil {
		return w.dupPairError(rw, r, id, err)
	}
	http.Redirect(rw, r, "/duplicates/"+m.PairID+"?ok=dedupe.ui.merged", http.StatusSeeOther)
	return nil
}

func (w *Web) dupUnmerge(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	m, err := w.svc.Dedupe.Unmerge(r.Context(), id)
	if err != nil {
		if pair := r.PostFormValue("pair"); homeward.ValidID(pair) {
			return w.dupPairError(rw, r, pair, err)
		}
		return err
	}
	http.Redirect(rw, r, "/duplicates/"+m.PairID+"?ok=dedupe.ui.unmerged", http.StatusSeeOther)
	return nil
}

// dupConfirmMany confirms the chosen pairs as the same person, each as a
// single decision would be (own transaction, timeline, audit); a pair
// changed meanwhile is left for review and counted as refused.
func (w *Web) dupConfirmMany(rw http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return homeward.Errorf(homeward.EINVALID, "error.body.malformed", "The request is not valid.")
	}
	var refs []dedupe.PairRef
	for _, v := range r.PostForm["pair"] {
		id, ver, _ := strings.Cut(v, ":")
		n, err := strconv.Atoi(ver)
		if !homeward.ValidID(id) || err != nil {
			continue
		}
		refs = append(refs, dedupe.PairRef{ID: id, Version: n})
	}
	done, failed, err := w.svc.Dedupe.DecideMany(r.Context(), refs, dedupe.StatusSame, r.PostFormValue("note"))
	if err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			return err
		}
		http.Redirect(rw, r, "/duplicates?status=open&none=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(rw, r, fmt.Sprintf("/duplicates?status=open&confirmed=%d&refused=%d", len(done), len(failed)), http.StatusSeeOther)
	return nil
}
