package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/reference"
	"homeward/internal/registry"
	"homeward/internal/subject"
)

// The registration form names its inputs by the JSON paths the domain uses
// in its errors ("person.given_name", "episodes[0].return.date"), so that
// every error lands next to its input. Lists are rows of inputs; empty rows
// are skipped and the indices of the rest remembered to map errors back.

// formValues are a form's inputs: the first value of each name, and every
// checked name=value pair.
type formValues struct {
	V       map[string]string
	Checked map[string]bool
}

func newFormValues() formValues {
	return formValues{V: map[string]string{}, Checked: map[string]bool{}}
}

func (f formValues) set(name, v string) {
	if v != "" {
		f.V[name] = v
	}
}

func (f formValues) check(name, v string) { f.Checked[name+"="+v] = true }

func valuesFromPost(form url.Values) formValues {
	f := newFormValues()
	for k, vs := range form {
		if len(vs) > 0 {
			f.V[k] = vs[0]
		}
		for _, v := range vs {
			f.Checked[k+"="+v] = true
		}
	}
	return f
}

// personFormData is what registry_form.html shows.
type personFormData struct {
	New            bool
	PersonID, Name string
	Version        int
	formKit
	Documents        []int
	Household        []int
	Episodes         []int
	Upazilas         []option
	Districts        []districtGroup
	Countries        []option
	Points           []option
	Sexes, DocTypes  []option
	Relationships    []option
	Education        []option
	WGDomains        []option
	WGAnswers        []option
	Sectors, Visas   []option
	Recruitment      []option
	ReturnTypes      []option
	ReturnReasons    []option
	ArrivalDocuments []option
	Services         []option
	Purposes         []option
	// Notices are what each consent purpose allows, to read to the person
	// (Value the purpose's name, Label the instance's default text).
	Notices           []option
	Methods           []option
	OrgTypes          []option
	Occupations       []option
	ConsentRecipients []option
}

func rowsOf(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

var rowRe = regexp.MustCompile(`^(person\.documents|person\.household|episodes)\[(\d+)\]`)

// rowCounts finds how many rows of each list the posted form had.
func rowCounts(f formValues) map[string]int {
	n := map[string]int{}
	for k := range f.V {
		if m := rowRe.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[2])
			if i < 50 && i+1 > n[m[1]] {
				n[m[1]] = i + 1
			}
		}
	}
	return n
}

func (w *Web) personFormPage(r *http.Request, title string, d *personFormData) *page {
	lng := lang(r)
	d.Districts, d.Countries, d.Points = districtOptions(lng, w.country()), countryOptions(lng), pointOptions(lng, w.country())
	d.Upazilas = upazilaOptions(lng, d.F.V["person.address.district"])
	d.Sexes, d.DocTypes = options(lng, "registry.sex", registry.Sexes), options(lng, "registry.doctype", registry.DocumentTypes)
	d.Relationships, d.Education = options(lng, "registry.relationship", registry.Relationships), options(lng, "registry.education", registry.EducationLevels)
	d.WGDomains = options(lng, "registry.wg_domain", []string{"seeing", "hearing", "walking", "cognition", "self_care", "communication"})
	d.WGAnswers = options(lng, "registry.wg", registry.WGAnswers)
	d.Sectors, d.Visas = options(lng, "registry.sector", registry.Sectors), options(lng, "registry.visa", registry.VisaTypes)
	d.Recruitment, d.ReturnTypes = options(lng, "registry.recruitment", registry.RecruitmentChannels), options(lng, "registry.return_type", registry.ReturnTypesFor(w.country()))
	d.ArrivalDocuments, d.Services = options(lng, "registry.arrival_document", registry.ArrivalDocuments), options(lng, "registry.service", registry.ReceptionServices)
	d.ReturnReasons = nil
	for _, rr := range registry.ReturnReasonsFor(w.country()) {
		d.ReturnReasons = append(d.ReturnReasons, option{rr.Code, registry.ReturnReasonName(w.country(), rr.Code, lng)})
	}
	d.Purposes, d.Methods = options(lng, "registry.purpose", registry.Purposes), options(lng, "registry.method", registry.ConsentMethods)
	d.Notices = nil
	for _, o := range d.Purposes {
		d.Notices = append(d.Notices, option{o.Label, subject.ConsentNotice(lng, w.country(), o.Value)})
	}
	d.OrgTypes = options(lng, "orgtype", []homeward.OrgType{homeward.OrgServiceProvider, homeward.OrgNGO, homeward.OrgEmployer, homeward.OrgInternational, homeward.OrgMinistry, homeward.OrgWelfareBoard})
	for _, o := range reference.SearchOccupations("", "unit", 0) {
		d.Occupations = append(d.Occupations, option{o.Code, o.Code + " " + o.Title})
	}
	n := rowCounts(d.F)
	d.Documents = rowsOf(max(n["person.documents"], 3))
	d.Household = rowsOf(max(n["person.household"], 2))
	d.Episodes = rowsOf(max(n["episodes"], 1))
	d.Lang, d.Errs = lng, map[string]string{}
	p := w.newPage(r, title, d)
	p.Errors = d.Errs
	return p
}

// upazilaOptions lists the upazilas of a district.
func upazilaOptions(lang, district string) []option {
	if district == "" || reference.Area(district) == nil {
		return nil
	}
	var out []option
	for _, a := range reference.SearchAreas(reference.AreaFilter{Parent: district}) {
		out = append(out, option{a.Code, a.Name(lang)})
	}
	return out
}

// recordValues fills a form from a stored record (for editing) or a blank
// registration (for a new one).
func recordValues(p *registry.Person, eps []registry.MigrationEpisode) formValues {
	f := newFormValues()
	f.set("person.external_id", p.ExternalID)
	f.set("person.given_name", p.GivenName)
	f.set("person.family_name", p.FamilyName)
	f.set("person.full_name_native", p.FullNameNative)
	f.set("person.aliases", strings.Join(p.Aliases, ", "))
	f.set("person.sex", string(p.Sex))
	f.set("person.date_of_birth", p.DateOfBirth.String())
	f.set("person.father_name", p.FatherName)
	f.set("person.mother_name", p.MotherName)
	for i, d := range p.Documents {
		pre := "person.documents[" + strconv.Itoa(i) + "]."
		f.set(pre+"type", string(d.Type))
		f.set(pre+"number", d.Number)
		f.set(pre+"issuing_country", d.IssuingCountry)
		f.set(pre+"valid_until", d.ValidUntil.String())
	}
	f.set("person.phones", strings.Join(p.Phones, "\n"))
	path := reference.AreaPath(p.Address.AdminArea)
	for _, a := range path {
		switch a.Level {
		case "district":
			f.set("person.address.district", a.Code)
		case "upazila":
			f.set("person.address.upazila", a.Code)
		}
	}
	f.set("person.address.text", p.Address.Text)
	f.set("person.address.postcode", p.Address.Postcode)
	for i, m := range p.Household {
		pre := "person.household[" + strconv.Itoa(i) + "]."
		f.set(pre+"relationship", string(m.Relationship))
		if m.Age != nil {
			f.set(pre+"age", strconv.Itoa(*m.Age))
		}
		f.set(pre+"sex", string(m.Sex))
		if m.Dependant {
			f.check(pre+"dependant", "true")
		}
	}
	f.set("person.education", string(p.Education))
	f.set("person.languages", strings.Join(p.Languages, ", "))
	if d := p.Disability; d != nil {
		for _, x := range d.Domains() {
			f.set("person.disability."+x.Name, string(x.Answer))
		}
	}
	for i, e := range eps {
		pre := "episodes[" + strconv.Itoa(i) + "]."
		f.set(pre+"id", e.ID)
		f.set(pre+"destination_country", e.DestinationCountry)
		f.set(pre+"occupation_abroad", occupationText(e.OccupationAbroad))
		f.set(pre+"sector", string(e.Sector))
		f.set(pre+"employer", e.Employer)
		f.set(pre+"departure_date", e.DepartureDate.String())
		f.set(pre+"end_date", e.EndDate.String())
		f.set(pre+"visa_type", string(e.VisaType))
		f.set(pre+"recruitment_channel", string(e.RecruitmentChannel))
		for name, m := range map[string]*registry.Money{"migration_cost": e.MigrationCost, "debt_outstanding": e.DebtOutstanding, "remittances": e.Remittances} {
			if m != nil {
				f.set(pre+name+".amount", strconv.FormatInt(m.Amount, 10))
				f.set(pre+name+".currency", m.Currency)
			}
		}
		if rt := e.Return; rt != nil {
			f.set(pre+"return.date", rt.Date.String())
			f.set(pre+"return.point_of_entry", rt.PointOfEntry)
			f.set(pre+"return.return_type", string(rt.ReturnType))
			f.set(pre+"return.reason", rt.Reason)
			for _, c := range rt.Reasons {
				f.check(pre+"return.reasons", c)
			}
			for _, d := range rt.DocumentsOnArrival {
				f.check(pre+"return.documents_on_arrival", string(d))
			}
			for _, s := range rt.ReceptionServices {
				f.check(pre+"return.reception_services", string(s))
			}
		}
	}
	return f
}

// formDate reads a date input: 1985, 1985-03, 1985-03-12 (any digits); on
// dob inputs an age such as "about 35" becomes a year.
func formDate(v *homeward.Validation, f formValues, name string, dob bool, now time.Time) registry.Date {
	s := strings.TrimSpace(homeward.ASCIIDigits(f.V[name]))
	if s == "" {
		return registry.Date{}
	}
	if iso, ok := parseDayFirst(s); ok {
		s = iso // dd/mm/yyyy, mm/yyyy as the pages write them
	}
	d, err := registry.ParseDate(s)
	if err != nil && dob {
		if age, ok := registry.ParseAge(s); ok {
			return registry.DateFromAge(age, now)
		}
	}
	var e *homeward.Error
	switch {
	case err == nil:
	case errors.As(err, &e) && e.Key == "registry.date.invalid" && dob:
		v.AddArgs(name, "ui_a.date.invalid_dob", map[string]any{"value": f.V[name]}, "“%s” is not a date; write dd/mm/yyyy, mm/yyyy, yyyy or an age.", f.V[name])
	case errors.As(err, &e) && e.Key == "registry.date.invalid":
		v.AddArgs(name, "ui_a.date.invalid", map[string]any{"value": f.V[name]}, "“%s” is not a date; write it as dd/mm/yyyy, for example 15/01/2027.", f.V[name])
	default:
		_ = v.Merge(name, err)
	}
	return d
}

func formInt(v *homeward.Validation, f formValues, name string) *int {
	s := strings.TrimSpace(homeward.ASCIIDigits(f.V[name]))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(name, "registry.ui.error.number", "Write a whole number.")
		return nil
	}
	return &n
}

// formMoney reads an amount and its currency; a currency left empty is
// cur, the instance's.
func formMoney(v *homeward.Validation, f formValues, name, cur string) *registry.Money {
	s := strings.NewReplacer(",", "", " ", "", "_", "").Replace(strings.TrimSpace(homeward.ASCIIDigits(f.V[name+".amount"])))
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		v.Add(name+".amount", "registry.ui.error.number", "Write a whole number.")
		return nil
	}
	if c := f.V[name+".currency"]; c != "" {
		cur = c
	}
	return &registry.Money{Amount: n, Currency: cur}
}

// rowMap remembers, for each list, which form row each kept entry came from.
type rowMap map[string][]int

var pathIndexRe = regexp.MustCompile(`^(person\.documents|person\.household|episodes)\[(\d+)\](.*)$`)

// rename maps an error path of the submitted registration back to the
// form's input names.
func (m rowMap) rename(path string) string {
	if mm := pathIndexRe.FindStringSubmatch(path); mm != nil {
		j, _ := strconv.Atoi(mm[2])
		if rows := m[mm[1]]; j < len(rows) {
			path = mm[1] + "[" + strconv.Itoa(rows[j]) + "]" + mm[3]
		}
	}
	if strings.HasPrefix(path, "consents[") {
		rest := ""
		if i := strings.Index(path, "]."); i > 0 {
			rest = path[i+2:]
		}
		switch {
		case rest == "" || rest == "purpose":
			return "consent.purpose"
		case strings.HasPrefix(rest, "recipient"):
			return "consent.referral_org_type"
		}
		return "consent." + rest
	}
	switch path {
	case "person.address.admin_area":
		return "person.address.district"
	case "episodes":
		return "episodes[0].return.date"
	}
	if strings.HasSuffix(path, ".return") {
		return path + ".date"
	}
	return path
}

// parsePersonForm reads the person and the episodes from a posted form;
// documents without an issuing country are cc's.
func parsePersonForm(f formValues, cc string, now time.Time, v *homeward.Validation) (registry.Person, []registry.MigrationEpisode, rowMap) {
	rows := rowMap{}
	n := rowCounts(f)
	p := registry.Person{
		ExternalID: f.V["person.external_id"], GivenName: f.V["person.given_name"], FamilyName: f.V["person.family_name"],
		FullNameNative: f.V["person.full_name_native"], Sex: registry.Sex(f.V["person.sex"]),
		FatherName: f.V["person.father_name"], MotherName: f.V["person.mother_name"],
		Education: registry.Education(f.V["person.education"]),
	}
	p.Aliases = lines(f.V["person.aliases"])
	p.DateOfBirth = formDate(v, f, "person.date_of_birth", true, now)
	for i := range n["person.documents"] {
		pre := "person.documents[" + strconv.Itoa(i) + "]."
		num := strings.TrimSpace(f.V[pre+"number"])
		if num == "" {
			continue
		}
		d := registry.Document{Type: registry.DocumentType(f.V[pre+"type"]), Number: num, IssuingCountry: f.V[pre+"issuing_country"]}
		if d.IssuingCountry == "" {
			d.IssuingCountry = cc
		}
		d.ValidUntil = formDate(v, f, pre+"valid_until", false, now)
		p.Documents = append(p.Documents, d)
		rows["person.documents"] = append(rows["person.documents"], i)
	}
	p.Phones = append(p.Phones, lines(homeward.ASCIIDigits(f.V["person.phones"]))...)
	area := f.V["person.address.district"]
	if up := f.V["person.address.upazila"]; up != "" && area != "" && reference.AreaIn(up, area) {
		area = up
	}
	p.Address = registry.Address{AdminArea: area, Text: f.V["person.address.text"], Postcode: homeward.ASCIIDigits(f.V["person.address.postcode"])}
	for i := range n["person.household"] {
		pre := "person.household[" + strconv.Itoa(i) + "]."
		rel := f.V[pre+"relationship"]
		if rel == "" && f.V[pre+"age"] == "" && f.V[pre+"sex"] == "" {
			continue
		}
		m := registry.HouseholdMember{Relationship: registry.Relationship(rel), Sex: registry.Sex(f.V[pre+"sex"]), Dependant: f.Checked[pre+"dependant=true"]}
		m.Age = formInt(v, f, pre+"age")
		p.Household = append(p.Household, m)
		rows["person.household"] = append(rows["person.household"], i)
	}
	p.Languages = append(p.Languages, lines(f.V["person.languages"])...)
	var dis registry.Disability
	dis.Seeing, dis.Hearing = registry.WGAnswer(f.V["person.disability.seeing"]), registry.WGAnswer(f.V["person.disability.hearing"])
	dis.Walking, dis.Cognition = registry.WGAnswer(f.V["person.disability.walking"]), registry.WGAnswer(f.V["person.disability.cognition"])
	dis.SelfCare, dis.Communication = registry.WGAnswer(f.V["person.disability.self_care"]), registry.WGAnswer(f.V["person.disability.communication"])
	if dis != (registry.Disability{}) {
		p.Disability = &dis
	}
	var eps []registry.MigrationEpisode
	for i := range max(n["episodes"], 1) {
		pre := "episodes[" + strconv.Itoa(i) + "]."
		blank := true
		for k, val := range f.V {
			if strings.HasPrefix(k, pre) && val != "" && !strings.HasSuffix(k, ".currency") && k != pre+"id" {
				blank = false
				break
			}
		}
		if blank && i > 0 {
			continue
		}
		e := registry.MigrationEpisode{ID: f.V[pre+"id"], DestinationCountry: f.V[pre+"destination_country"],
			OccupationAbroad: iscoInput(v, pre+"occupation_abroad", f.V[pre+"occupation_abroad"]),
			Sector:           registry.Sector(f.V[pre+"sector"]), Employer: f.V[pre+"employer"], VisaType: registry.VisaType(f.V[pre+"visa_type"]),
			RecruitmentChannel: registry.RecruitmentChannel(f.V[pre+"recruitment_channel"])}
		e.DepartureDate = formDate(v, f, pre+"departure_date", false, now)
		e.EndDate = formDate(v, f, pre+"end_date", false, now)
		e.MigrationCost = formMoney(v, f, pre+"migration_cost", currencyOf(cc))
		e.DebtOutstanding = formMoney(v, f, pre+"debt_outstanding", currencyOf(cc))
		e.Remittances = formMoney(v, f, pre+"remittances", currencyOf(cc))
		ret := &registry.Return{PointOfEntry: f.V[pre+"return.point_of_entry"], ReturnType: registry.ReturnType(f.V[pre+"return.return_type"]),
			Reason: f.V[pre+"return.reason"]}
		ret.Date = formDate(v, f, pre+"return.date", false, now)
		for _, c := range registry.ReturnReasons() {
			if f.Checked[pre+"return.reasons="+c] {
				ret.Reasons = append(ret.Reasons, c)
			}
		}
		for _, d := range registry.ArrivalDocuments {
			if f.Checked[pre+"return.documents_on_arrival="+string(d)] {
				ret.DocumentsOnArrival = append(ret.DocumentsOnArrival, d)
			}
		}
		for _, s := range registry.ReceptionServices {
			if f.Checked[pre+"return.reception_services="+string(s)] {
				ret.ReceptionServices = append(ret.ReceptionServices, s)
			}
		}
		e.Return = ret
		eps = append(eps, e)
		rows["episodes"] = append(rows["episodes"], i)
	}
	return p, eps, rows
}

// parseConsents reads the consent part of the registration form.
func parseConsents(f formValues) []registry.Consent {
	method := registry.ConsentMethod(f.V["consent.method"])
	var out []registry.Consent
	for _, purpose := range registry.Purposes {
		if !f.Checked["consent.purpose="+string(purpose)] {
			continue
		}
		c := registry.Consent{Purpose: purpose, Method: method, Witness: strings.TrimSpace(f.V["consent.witness"])}
		if purpose == registry.PurposeReferral {
			c.Recipient.OrgType = f.V["consent.referral_org_type"]
		}
		out = append(out, c)
	}
	return out
}

func (w *Web) personNew(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActPersonCreate, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	f := recordValues(&registry.Person{Documents: []registry.Document{{Type: registry.DocNationalID}, {Type: registry.DocPassport}}}, nil)
	f.set("person.documents[0].type", string(registry.DocNationalID))
	f.set("person.documents[1].type", string(registry.DocPassport))
	f.set("episodes[0].return.date", w.clock(r).Today())
	f.set("consent.referral_org_type", string(homeward.OrgServiceProvider))
	f.set("consent.method", string(registry.MethodSignedForm))
	return w.render(rw, http.StatusOK, "registry_form", w.personFormPage(r, "registry.ui.person.new", &personFormData{New: true, formKit: formKit{F: f}}))
}

func (w *Web) personCreate(rw http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := valuesFromPost(r.PostForm)
	now := w.clock(r).Local()
	var v homeward.Validation
	p, eps, rows := parsePersonForm(f, w.country(), now, &v)
	reg := &registry.Registration{Person: p, Episodes: eps, Consents: parseConsents(f)}
	var err error
	var rec *registry.Record
	if v.Err() != nil {
		// Show the other problems too: validate what could be read.
		reg.Normalize(w.country())
		for i := range reg.Consents {
			reg.Consents[i].RecordedBy, reg.Consents[i].RecordedAt = "-", now
		}
		_ = v.Merge("", reg.Validate(now))
		err = v.Err()
	} else {
		rec, err = w.svc.Registry.Register(r.Context(), reg)
	}
	if err != nil {
		pg := w.personFormPage(r, "registry.ui.person.new", &personFormData{New: true, formKit: formKit{F: f}})
		if err := registryErrors(pg, err, rows.rename); err != nil {
			return err
		}
		return w.render(rw, http.StatusBadRequest, "registry_form", pg)
	}
	http.Redirect(rw, r, "/people/"+rec.Person.ID+"?ok=registry.ui.registered", http.StatusSeeOther)
	return nil
}

func (w *Web) personEdit(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	rec, err := w.svc.Registry.FindRecord(r.Context(), id)
	if err != nil {
		return err
	}
	if mergedAway(rw, r, rec) {
		return nil
	}
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActPersonUpdate, homeward.Resource{ID: id, OrgID: rec.Person.OrgID}); err != nil {
		return err
	}
	f := recordValues(&rec.Person, rec.Episodes)
	d := &personFormData{PersonID: id, Name: rec.Person.DisplayName(), Version: rec.Version, formKit: formKit{F: f}}
	pg := w.personFormPage(r, "registry.ui.person.edit", d)
	// One blank row to add an episode.
	d.Episodes = rowsOf(len(rec.Episodes) + 1)
	d.Documents = rowsOf(len(rec.Person.Documents) + 1)
	d.Household = rowsOf(len(rec.Person.Household) + 1)
	return w.render(rw, http.StatusOK, "registry_form", pg)
}

func (w *Web) personUpdate(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := valuesFromPost(r.PostForm)
	version, _ := strconv.Atoi(f.V["version"])
	now := w.clock(r).Local()
	var v homeward.Validation
	p, eps, rows := parsePersonForm(f, w.country(), now, &v)
	if err = v.Err(); err == nil {
		_, err = w.svc.Registry.UpdatePerson(r.Context(), id, version, registry.PersonUpdate{Person: &p, Episodes: &eps})
	} else {
		reg := registry.Registration{Person: p, Episodes: eps}
		reg.Normalize(w.country())
		_ = v.Merge("", reg.Validate(now))
		err = v.Err()
	}
	if err == nil {
		http.Redirect(rw, r, "/people/"+id+"?ok=registry.ui.saved", http.StatusSeeOther)
		return nil
	}
	d := &personFormData{PersonID: id, Name: p.DisplayName(), Version: version, formKit: formKit{F: f}}
	pg := w.personFormPage(r, "registry.ui.person.edit", d)
	if homeward.ErrorCode(err) == homeward.EPRECONDITION {
		pg.Error = i18n.Error(pg.Lang, err)
		return w.render(rw, http.StatusPreconditionFailed, "registry_form", pg)
	}
	if err := registryErrors(pg, err, rows.rename); err != nil {
		return err
	}
	return w.render(rw, http.StatusBadRequest, "registry_form", pg)
}

// Has reports whether the checkbox name=value is checked (for templates).
func (f formValues) Has(name, value string) bool { return f.Checked[name+"="+value] }

// Get returns an input's value (for templates).
func (f formValues) Get(name string) string { return f.V[name] }

// Row returns the name of an input of a list row, such as
// Row "episodes" 0 "return.date" → "episodes[0].return.date".
func (d *personFormData) Row(list string, i int, field string) string {
	return list + "[" + strconv.Itoa(i) + "]." + field
}

// upazilas answers the district select's htmx request with the upazila
// select for the chosen district.
func (w *Web) upazilas(rw http.ResponseWriter, r *http.Request) error {
	lng := lang(r)
	d := &personFormData{formKit: formKit{Lang: lng, F: newFormValues(), Errs: map[string]string{}}}
	d.Upazilas = upazilaOptions(lng, r.URL.Query().Get("person.address.district"))
	return w.renderPart(rw, http.StatusOK, "registry_form", "upazila", w.newPage(r, "registry.ui.upazila", d))
}
