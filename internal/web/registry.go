package web

import (
	"bytes"
	"errors"
	"html"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// routesRegistry registers the returnee registry's pages: search, the
// person page with timeline and consents, registration, the reception desk,
// import and export.
func (w *Web) routesRegistry() {
	w.handle("GET /people", w.peopleList, true)
	w.handle("GET /people/export", w.peopleExport, true)
	w.handle("GET /people/new", w.personNew, true)
	w.handle("GET /people/upazilas", w.upazilas, true)
	w.handle("POST /people", w.personCreate, true)
	w.handle("GET /people/{id}", w.personPage, true)
	w.handle("GET /people/{id}/edit", w.personEdit, true)
	w.handle("POST /people/{id}", w.personUpdate, true)
	w.handle("POST /people/{id}/consents", w.consentRecord, true)
	w.handle("POST /people/{id}/consents/{cid}/withdraw", w.consentWithdraw, true)
	w.handle("GET /people/{id}/consents/{cid}/receipt", w.consentReceipt, true)
	w.handle("POST /people/{id}/case/status", w.caseStatus, true)
	w.handle("POST /people/{id}/case/assign", w.caseAssign, true)
	w.handle("POST /people/{id}/case/flags", w.caseFlags, true)
	w.handle("GET /reception", w.receptionForm, true)
	w.handle("POST /reception", w.receptionCreate, true)
	w.handle("GET /imports", w.importForm, true)
	w.upload("POST /imports", w.importRun, registry.MaxImportBytes+uploadSlack, func(a *homeward.Actor) error {
		return homeward.Authorize(a, homeward.ActImport, homeward.Resource{OrgID: a.OrgID})
	})
	w.handle("GET /imports/{id}/errors.csv", w.importErrors, true)
	w.handle("GET /imports/{id}", w.importStatus, true)
}

// registryErrors is formErrors for the registry's nested forms: it keeps the
// whole JSON path of every field ("episodes[0].return.date"), because each
// has an input of that name. A list entry's error ("person.phones[1]") is
// also shown at the list's input when the form has no input of its own for
// the entry; rename maps paths the form spells differently.
func registryErrors(p *page, err error, rename func(string) string) error {
	var e *homeward.Error
	if !errors.As(err, &e) || e.Code != homeward.EINVALID {
		return err
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	fields := e.Fields
	if len(fields) == 0 {
		fields = []homeward.FieldError{{Field: e.Field, Key: e.Key, Message: e.Message, Args: e.Args}}
	}
	for _, f := range fields {
		msg := i18n.FieldMessage(p.Lang, f)
		name := f.Field
		if rename != nil {
			name = rename(name)
		}
		if name == "" {
			p.Error = msg
			continue
		}
		if _, dup := p.Errors[name]; !dup {
			p.Errors[name] = msg
		}
		// phones[1] also at phones, for forms with one input for the list.
		if i := strings.LastIndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
			if _, dup := p.Errors[name[:i]]; !dup {
				p.Errors[name[:i]] = msg
			}
		}
	}
	if p.Error == "" {
		p.Error = i18n.T(p.Lang, "error.validation", nil)
	}
	return nil
}

// label translates an enumeration value of the registry catalog, such as
// label(lang, "registry.status", "closed"); "" stays "".
func label(lang, prefix, value string) string {
	if value == "" {
		return ""
	}
	key := prefix + "." + value
	if !i18n.Has(key) {
		return value
	}
	return i18n.T(lang, key, nil)
}

// option is one choice of a select or a checkbox group.
type option struct {
	Value, Label string
}

func options[T ~string](lang, prefix string, values []T) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{string(v), label(lang, prefix, string(v))}
	}
	return out
}

// areaName returns an area's name in lang, or its code when unknown.
func areaName(lang, code string) string {
	if a := reference.Area(code); a != nil {
		return a.Name(lang)
	}
	return code
}

// areaPathName returns "Dhaka › Dhaka › Dhamrai" for a p-code.
func areaPathName(lang, code string) string {
	path := reference.AreaPath(code)
	if len(path) == 0 {
		return code
	}
	names := make([]string, len(path))
	for i, a := range path {
		names[i] = a.Name(lang)
	}
	return strings.Join(names, " › ")
}

func countryName(lang, code string) string {
	if c := reference.CountryByCode(code); c != nil {
		return c.Name(lang)
	}
	return code
}

// districtGroup is the districts of one division, for a grouped select.
type districtGroup struct {
	Division string
	Options  []option
}

// districtOptions lists the districts of the country cc by its largest
// areas (Bangladesh's divisions, Iraq's governorates, Pakistan's
// provinces), names in lang. The lists are made once per language and
// country and shared: callers must not change them.
func districtOptions(lang, cc string) []districtGroup {
	key := lang + "|" + cc
	if v, ok := districtLists.Load(key); ok {
		return v.([]districtGroup)
	}
	v, _ := districtLists.LoadOrStore(key, makeDistrictOptions(lang, cc))
	return v.([]districtGroup)
}

// districtLists holds districtOptions' lists (a few languages times the
// countries served).
var districtLists sync.Map

// districtOptionsHTML writes groups as a select's option groups, the
// district selected marked: the same markup the templates wrote, made
// here because a page's 64 districts cost hundreds of template calls
// (the search page and the dashboards show them on every request).
func districtOptionsHTML(groups []districtGroup, selected string) template.HTML {
	var b strings.Builder
	for _, g := range groups {
		b.WriteString(`<optgroup label="`)
		b.WriteString(html.EscapeString(g.Division))
		b.WriteString(`">`)
		for _, o := range g.Options {
			b.WriteString(`<option value="`)
			b.WriteString(html.EscapeString(o.Value))
			if o.Value == selected {
				b.WriteString(`" selected>`)
			} else {
				b.WriteString(`">`)
			}
			b.WriteString(html.EscapeString(o.Label))
			b.WriteString(`</option>`)
		}
		b.WriteString(`</optgroup>`)
	}
	return template.HTML(b.String())
}

func makeDistrictOptions(lang, cc string) []districtGroup {
	var out []districtGroup
	p := country.Lookup(cc)
	if p == nil || len(p.Areas.Levels) < 2 {
		return nil
	}
	for _, div := range reference.SearchAreas(reference.AreaFilter{Country: p.Code, Level: p.Areas.Levels[0]}) {
		g := districtGroup{Division: div.Name(lang)}
		for _, d := range reference.SearchAreas(reference.AreaFilter{Country: p.Code, Level: p.Areas.Levels[1], Parent: div.Code}) {
			g.Options = append(g.Options, option{d.Code, d.Name(lang)})
		}
		sort.Slice(g.Options, func(i, j int) bool { return g.Options[i].Label < g.Options[j].Label })
		out = append(out, g)
	}
	return out
}

// countryOptions lists every country, with the usual destinations first.
func countryOptions(lang string) []option {
	top := []string{"SA", "OM", "AE", "QA", "KW", "BH", "MY", "SG", "JO", "LB", "IT", "KR", "MU", "LY", "IQ", "MV"}
	var out []option
	for _, c := range top {
		out = append(out, option{c, countryName(lang, c)})
	}
	var rest []option
	for _, c := range reference.SearchCountries("", 0) {
		if !slices.Contains(top, c.Alpha2) {
			rest = append(rest, option{c.Alpha2, c.Name(lang)})
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Label < rest[j].Label })
	return append(out, rest...)
}

// country returns the code of the instance's country.
func (w *Web) country() string {
	if w.Country == "" {
		return country.Default
	}
	return w.Country
}

// currency returns the currency (ISO 4217) of the instance's country: what
// money fields are in unless the user writes another ("BDT" on a
// Bangladeshi instance, "IQD" on an Iraqi one).
func (w *Web) currency() string { return currencyOf(w.country()) }

// currencyOf is the currency (ISO 4217) of the country with code cc.
func currencyOf(cc string) string {
	if c := reference.CountryByCode(cc); c != nil && c.Currency != "" {
		return c.Currency
	}
	return ""
}

// pointOptions lists the points of entry of country in lang.
func pointOptions(lang, country string) []option {
	var out []option
	for _, p := range registry.PointsOfEntry(country) {
		out = append(out, option{p.Code, p.Name(lang)})
	}
	return out
}

// userNames maps the user ids of the actor's organisation to names, as far
// as the actor may list users; everyone knows their own name.
func (w *Web) userNames(r *http.Request) map[string]string {
	a := homeward.ActorFromContext(r.Context())
	names := map[string]string{a.UserID: a.Name}
	if !homeward.Can(a, homeward.ActUserRead, homeward.Resource{OrgID: a.OrgID}) {
		return names
	}
	users, _, err := w.svc.Users.FindUsers(r.Context(), homeward.UserFilter{Limit: 500})
	if err != nil {
		return names
	}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return names
}

// addNames adds to names those of ids it lacks, as the user service shows
// them to the actor: colleagues by name, users of another organisation by
// that organisation's name.
func (w *Web) addNames(r *http.Request, names map[string]string, ids ...string) {
	var missing []string
	for _, id := range ids {
		if id != "" && id != "system" && names[id] == "" {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return
	}
	found, err := w.svc.Users.UserNames(r.Context(), missing)
	if err != nil {
		return
	}
	for id, n := range found {
		names[id] = n
	}
}

// caseWorkers lists the active case workers and supervisors of the actor's
// organisation, for the assignment select (supervisors only).
func (w *Web) caseWorkers(r *http.Request) []option {
	users, _, err := w.svc.Users.FindUsers(r.Context(), homeward.UserFilter{Limit: 500})
	if err != nil {
		return nil
	}
	var out []option
	for _, u := range users {
		if !u.Disabled && (slices.Contains(u.Roles, homeward.RoleCaseWorker) || slices.Contains(u.Roles, homeward.RoleSupervisor)) {
			out = append(out, option{u.ID, u.Name})
		}
	}
	return out
}

// renderPart renders one named template of a page without the layout, for
// htmx to swap in.
func (w *Web) renderPart(rw http.ResponseWriter, status int, name, part string, p *page) error {
	t, ok := w.pages[name]
	if !ok {
		return errors.New("no template " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, part, p); err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Content-Language", p.Lang)
	rw.Header().Set("Vary", "HX-Request, HX-Target")
	rw.WriteHeader(status)
	_, err := rw.Write(buf.Bytes())
	return err
}

// htmxTarget returns the id of the element an htmx request will swap, or "".
func htmxTarget(r *http.Request) string {
	if r.Header.Get("HX-Request") != "true" {
		return ""
	}
	return r.Header.Get("HX-Target")
}

func notFound() error { return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.") }

// recordWithCase finds a person's record, which must have a case.
func (w *Web) recordWithCase(r *http.Request, personID string) (*registry.Record, error) {
	rec, err := w.svc.Registry.FindRecord(r.Context(), personID)
	if err != nil {
		return nil, err
	}
	if rec.Case == nil {
		return nil, notFound()
	}
	return rec, nil
}

// lines splits a textarea into its non-empty lines (commas too).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// lang returns the request's locale.
func lang(r *http.Request) string { return httpx.Locale(r) }

// formKit builds the inputs of the registry's forms: each knows its value,
// its translated label and its error, so templates stay short.
type formKit struct {
	Lang string
	F    formValues
	Errs map[string]string
}

// input is one form control, as the "reg-*" templates draw it.
type input struct {
	ID, Name, Value, Label, Error, Hint string
	Options                             []option
	Groups                              []districtGroup
	F                                   formValues
	// Required marks the control required (its label carries a *); the
	// server still checks, with the form's novalidate.
	Required bool
}

// req returns in marked required, for templates: (req ($d.In "sex" …)).
func req(in input) input {
	in.Required = true
	return in
}

func inputID(name string) string {
	return strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name)
}

func (k *formKit) in(name, labelKey string) input {
	return input{ID: inputID(name), Name: name, Value: k.F.V[name], Label: i18n.T(k.Lang, labelKey, nil), Error: k.Errs[name], F: k.F}
}

// In is a text input.
func (k *formKit) In(name, labelKey string) input { return k.in(name, labelKey) }

// Hint is a text input with a hint below its label.
func (k *formKit) Hint(name, labelKey, hintKey string) input {
	in := k.in(name, labelKey)
	in.Hint = i18n.T(k.Lang, hintKey, nil)
	if hintKey == "registry.ui.hint.date" || hintKey == "registry.ui.hint.dob" {
		in.Value = dateValue(k.Lang, in.Value) // dates are shown day first
	}
	return in
}

// Sel is a select of opts (with an empty first choice).
func (k *formKit) Sel(name, labelKey string, opts []option) input {
	in := k.in(name, labelKey)
	in.Options = opts
	return in
}

// DistrictSel is a select of districts grouped by division.
func (k *formKit) DistrictSel(name, labelKey string, groups []districtGroup) input {
	in := k.in(name, labelKey)
	in.Groups = groups
	return in
}

// Checked reports whether the checkbox name=value is checked.
func (i input) Checked(value string) bool { return i.F.Checked[i.Name+"="+value] }

// SelText is a select whose label is already translated.
func (k *formKit) SelText(name, labelText string, opts []option) input {
	in := k.in(name, "")
	in.Label, in.Options = labelText, opts
	return in
}

// Money is an amount with its currency; either's error shows below both.
func (k *formKit) Money(name, labelKey string) input {
	in := k.in(name, labelKey)
	in.Error = k.Errs[name+".amount"]
	if in.Error == "" {
		in.Error = k.Errs[name+".currency"]
	}
	return in
}

// Ordinal is i+1 in the locale's digits, for "Migration episode 2".
func (k *formKit) Ordinal(i int) string { return i18n.Digits(k.Lang, strconv.Itoa(i+1)) }
