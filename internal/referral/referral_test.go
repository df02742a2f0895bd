package referral

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/registry"
)

func TestStandardCatalogue(t *testing.T) {
	c := StandardCatalogue()
	want := []string{"skills_training", "business_startup", "business_grant_cash", "business_grant_in_kind", "business_development",
		"psychosocial_counselling", "recognition_prior_learning", "job_placement", "financial_services", "financial_literacy",
		"financial_access", "legal_aid_documentation", "medical_care", "housing", "education_children", "social_protection",
		"family_counselling", "arrival_assistance"}
	var got []string
	for _, st := range c.Types() {
		got = append(got, st.Code)
		if !slices.Contains(st.Shared, FieldName) || !slices.Contains(st.Shared, FieldPhone) {
			t.Errorf("%s does not share a name and phone: nobody could reach the person", st.Code)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("standard set:\n%v\nwant\n%v", got, want)
	}
	kinds := map[string]Kind{"skills_training": KindTraining, "business_grant_cash": KindGrant, "psychosocial_counselling": KindCounselling,
		"job_placement": KindPlacement, "family_counselling": KindCounselling, "housing": KindGeneric}
	for code, k := range kinds {
		if st, _ := c.Type(code); st.Kind != k {
			t.Errorf("%s kind %s, want %s", code, st.Kind, k)
		}
	}
	// Sensitive fields go only where they are needed.
	for _, st := range c.Types() {
		if slices.Contains(st.Shared, FieldNationalID) && !slices.Contains([]string{"business_grant_cash", "business_grant_in_kind", "financial_access", "legal_aid_documentation", "social_protection"}, st.Code) {
			t.Errorf("%s shares the national ID", st.Code)
		}
		if slices.Contains(st.Shared, FieldVulnerabilities) && st.Kind == KindTraining {
			t.Errorf("%s shares vulnerability flags", st.Code)
		}
	}
	covers := []struct {
		offered, want string
		ok            bool
	}{
		{"business_startup", "business_grant_cash", true},
		{"business_grant_cash", "business_grant_cash", true},
		{"business_grant_cash", "business_startup", false},
		{"skills_training", "business_grant_cash", false},
		{"financial_services", "financial_literacy", true},
	}
	for _, tt := range covers {
		if got := c.Covers(tt.offered, tt.want); got != tt.ok {
			t.Errorf("Covers(%s, %s) = %v", tt.offered, tt.want, got)
		}
	}
}

func TestCatalogueValidate(t *testing.T) {
	ok := ServiceType{Code: "tailoring", Parent: "skills_training", Kind: KindTraining, Shared: []Field{FieldName, FieldPhone}, Active: true}
	tests := []struct {
		name  string
		mod   func(*ServiceType)
		field string
	}{
		{"ok", func(*ServiceType) {}, ""},
		{"bad code", func(s *ServiceType) { s.Code = "Tailoring!" }, "types[18].code"},
		{"unknown parent", func(s *ServiceType) { s.Parent = "nope" }, "types[18].parent"},
		{"own parent", func(s *ServiceType) { s.Parent = s.Code }, "types[18].parent"},
		{"bad kind", func(s *ServiceType) { s.Kind = "magic" }, "types[18].kind"},
		{"no fields", func(s *ServiceType) { s.Shared = nil }, "types[18].shared_fields"},
		{"unknown field", func(s *ServiceType) { s.Shared = []Field{FieldName, "salary"} }, "types[18].shared_fields[1]"},
		{"field twice", func(s *ServiceType) { s.Shared = []Field{FieldName, FieldName} }, "types[18].shared_fields[1]"},
	}
	for _, tt := range tests {
		st := ok
		tt.mod(&st)
		_, err := NewCatalogue(append(Standard(), st))
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		} else if !hasField(err, tt.field) {
			t.Errorf("%s: %v, want field %s", tt.name, err, tt.field)
		}
	}
	// A cycle through two types.
	a := ServiceType{Code: "aa", Parent: "bb", Kind: KindGeneric, Shared: []Field{FieldName}}
	b := ServiceType{Code: "bb", Parent: "aa", Kind: KindGeneric, Shared: []Field{FieldName}}
	if _, err := NewCatalogue([]ServiceType{a, b}); homeward.ErrorCode(err) != homeward.EINVALID {
		t.Errorf("cycle accepted: %v", err)
	}
}

func record() *registry.Record {
	js := `{"person":{"given_name":"Shahana","family_name":"Begum","full_name_native":"শাহানা বেগম","sex":"female","date_of_birth":"1990-05-01",
		"phones":["+8801712345678","+8801812345678"],"documents":[{"type":"passport","number":"A1234567"},{"type":"national_id","number":"1234567890"}],
		"address":{"admin_area":"BD302602","text":"House 4, Road 2"},"languages":["bn","ar"],"education":"secondary",
		"disability":{"seeing":"no_difficulty","hearing":"no_difficulty","walking":"a_lot","cognition":"no_difficulty","self_care":"no_difficulty","communication":"no_difficulty"},
		"household":[{"relationship":"child","age":6,"dependant":true},{"relationship":"spouse","dependant":false}]},
		"episodes":[{"destination_country":"SA","occupation_abroad":"9111","sector":"domestic_work","return":{"date":"2026-02-01","return_type":"deported"}}],
		"case":{"number":"BGD-2026-000001","status":"registered","priority":"normal","vulnerabilities":["gbv_survivor","debt_bondage"]}}`
	var rec registry.Record
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		panic(err)
	}
	return &rec
}

func TestShareOnlyTheNamedFields(t *testing.T) {
	rec := record()
	c := StandardCatalogue()
	training, _ := c.Type("skills_training")
	s := Share(rec, training.Shared, now)
	b, _ := json.Marshal(s)
	got := string(b)
	for _, want := range []string{`"given_name":"Shahana"`, `"age":35`, `"phone":"+8801712345678"`, `"district":"BD3026"`, `"education":"secondary"`,
		`"occupation_abroad":"9111"`, `"languages":["bn","ar"]`, `"case_number":"BGD-2026-000001"`} {
		if !strings.Contains(got, want) {
			t.Errorf("training share lacks %s: %s", want, got)
		}
	}
	for _, never := range []string{"1234567890", "A1234567", "gbv_survivor", "House 4", "1990", "+8801812345678", "deported", `"SA"`} {
		if strings.Contains(got, never) {
			t.Errorf("training share reveals %s: %s", never, got)
		}
	}
	grant, _ := c.Type("business_grant_cash")
	g, _ := json.Marshal(Share(rec, grant.Shared, now))
	for _, want := range []string{`"national_id":"1234567890"`, `"household_size":3`, `"dependants":1`, `"address_text":"House 4, Road 2"`} {
		if !strings.Contains(string(g), want) {
			t.Errorf("grant share lacks %s: %s", want, g)
		}
	}
	couns, _ := c.Type("psychosocial_counselling")
	p, _ := json.Marshal(Share(rec, couns.Shared, now))
	for _, want := range []string{`"vulnerabilities":["gbv_survivor","debt_bondage"]`, `"return_date":"2026-02-01"`, `"return_type":"deported"`} {
		if !strings.Contains(string(p), want) {
			t.Errorf("counselling share lacks %s: %s", want, p)
		}
	}
	// Every field, shared alone, produces something for a complete record
	// and nothing else of the person.
	for _, f := range Fields {
		s := Share(rec, []Field{f}, now)
		m := map[string]any{}
		b, _ := json.Marshal(s)
		_ = json.Unmarshal(b, &m)
		delete(m, "fields")
		delete(m, "case_number")
		if len(m) == 0 {
			t.Errorf("field %s shares nothing", f)
		}
	}
}

func TestEligibility(t *testing.T) {
	age := func(n int) *int { return &n }
	f := FactsOf(record(), now)
	tests := []struct {
		name string
		e    Eligibility
		keys []string
	}{
		{"no rules", Eligibility{Text: "Everyone"}, nil},
		{"women", Eligibility{Sexes: []registry.Sex{registry.SexFemale}}, nil},
		{"men only", Eligibility{Sexes: []registry.Sex{registry.SexMale}}, []string{"referral.eligibility.sex"}},
		{"18 to 40", Eligibility{MinAge: age(18), MaxAge: age(40)}, nil},
		{"over 40", Eligibility{MinAge: age(40)}, []string{"referral.eligibility.min_age"}},
		{"under 30", Eligibility{MaxAge: age(30)}, []string{"referral.eligibility.max_age"}},
		{"in Dhaka division", Eligibility{Districts: []string{"BD30"}}, nil},
		{"in Sylhet", Eligibility{Districts: []string{"BD6091"}}, []string{"referral.eligibility.district"}},
		{"GBV survivors", Eligibility{Vulnerabilities: []registry.Vulnerability{registry.VulnGBVSurvivor, registry.VulnTraffickingVictim}}, nil},
		{"trafficking only", Eligibility{Vulnerabilities: []registry.Vulnerability{registry.VulnTraffickingVictim}}, []string{"referral.eligibility.vulnerability"}},
		{"everything wrong", Eligibility{Sexes: []registry.Sex{registry.SexMale}, MinAge: age(50), Districts: []string{"BD60"}},
			[]string{"referral.eligibility.sex", "referral.eligibility.min_age", "referral.eligibility.district"}},
	}
	for _, tt := range tests {
		var keys []string
		for _, m := range tt.e.Ineligible(f) {
			keys = append(keys, m.Key)
		}
		if strings.Join(keys, ",") != strings.Join(tt.keys, ",") {
			t.Errorf("%s: %v, want %v", tt.name, keys, tt.keys)
		}
	}
	// Unknown age does not meet an age rule.
	if len((&Eligibility{MinAge: age(18)}).Ineligible(Facts{})) != 1 {
		t.Error("unknown age passed an age rule")
	}
}

func TestOfferValidateAndServe(t *testing.T) {
	c := StandardCatalogue()
	good := func() Offer {
		return Offer{OrgID: "o", ServiceType: "skills_training", Areas: []string{" bd3026 ", "BD3026"}, Active: true,
			Capacity: Capacity{Places: 20}, Contact: Contact{Email: "Info@TTC.example", Phone: "+8802 1234"},
			Hours: []Hours{{Days: []string{"SA", "su"}, Opens: "09:00", Closes: "17:00"}}}
	}
	o := good()
	o.Normalize()
	if err := o.Validate(c); err != nil {
		t.Fatal(err)
	}
	if len(o.Areas) != 1 || o.Capacity.Period != PeriodMonth || o.Contact.Email != "info@ttc.example" || o.Hours[0].Days[0] != "sa" {
		t.Errorf("normalised: %+v", o)
	}
	if !o.Serves("BD302602") || !o.Serves("BD30") || o.Serves("BD6091") || !o.Serves("") {
		t.Error("Serves is wrong")
	}
	age := func(n int) *int { return &n }
	tests := []struct {
		name  string
		mod   func(*Offer)
		field string
	}{
		{"unknown service", func(o *Offer) { o.ServiceType = "magic" }, "service_type"},
		{"no areas", func(o *Offer) { o.Areas = nil }, "areas"},
		{"bad area", func(o *Offer) { o.Areas = []string{"BD9999"} }, "areas[0]"},
		{"ages reversed", func(o *Offer) { o.Eligibility.MinAge, o.Eligibility.MaxAge = age(40), age(18) }, "eligibility.max_age"},
		{"bad sex", func(o *Offer) { o.Eligibility.Sexes = []registry.Sex{"x"} }, "eligibility.sexes[0]"},
		{"negative places", func(o *Offer) { o.Capacity.Places = -1 }, "capacity.places"},
		{"bad period", func(o *Offer) { o.Capacity.Period = "week" }, "capacity.period"},
		{"bad email", func(o *Offer) { o.Contact.Email = "nope" }, "contact.email"},
		{"bad day", func(o *Offer) { o.Hours[0].Days = []string{"monday"} }, "hours[0].days[0]"},
		{"closes before opens", func(o *Offer) { o.Hours[0].Closes = "08:00" }, "hours[0].closes"},
		{"bad time", func(o *Offer) { o.Hours[0].Opens = "9am" }, "hours[0].opens"},
	}
	for _, tt := range tests {
		o := good()
		tt.mod(&o)
		o.Normalize()
		if err := o.Validate(c); !hasField(err, tt.field) {
			t.Errorf("%s: %v, want field %s", tt.name, err, tt.field)
		}
	}
}

func TestCapacity(t *testing.T) {
	at := time.Date(2026, 8, 17, 10, 0, 0, 0, time.UTC)
	for p, want := range map[Period]string{PeriodMonth: "2026-08-01", PeriodQuarter: "2026-07-01", PeriodYear: "2026-01-01"} {
		if got := (Capacity{Places: 1, Period: p}).Start(at).Format(time.DateOnly); got != want {
			t.Errorf("%s starts %s", p, got)
		}
	}
	if left, ok := (Capacity{Places: 3}).Left(2); !ok || left != 1 {
		t.Error("3 places, 2 used")
	}
	if left, ok := (Capacity{Places: 3}).Left(5); !ok || left != 0 {
		t.Error("over-full")
	}
	if _, ok := (Capacity{}).Left(100); ok {
		t.Error("no limit has a limit")
	}
}

func TestHSDSExport(t *testing.T) {
	left := 4
	offers := []Offer{
		{ID: "s1", OrgID: "o1", OrgName: "TTC Dhaka", ServiceType: "skills_training", Areas: []string{"BD3026"}, Active: true,
			Eligibility: Eligibility{Text: "Returnees aged 18 to 45"}, Capacity: Capacity{Places: 20, Period: PeriodMonth}, PlacesLeft: &left,
			Contact: Contact{Name: "Golam", Phone: "+88021234", Email: "ttc@example.org"}, Hours: []Hours{{Days: []string{"sa", "su"}, Opens: "09:00", Closes: "17:00"}}},
		{ID: "s2", OrgID: "o1", OrgName: "TTC Dhaka", ServiceType: "recognition_prior_learning", Areas: []string{"BD30"}},
	}
	h := ExportHSDS(offers, func(code string) string { return "label " + code })
	if len(h.Organizations) != 1 || len(h.Organizations[0].Services) != 2 {
		t.Fatalf("export: %+v", h)
	}
	s := h.Organizations[0].Services[0]
	if s.Name != "label skills_training" || s.Status != "active" || s.Schedules[0].Byday != "SA,SU" || s.Capacities[0].Available != 4 ||
		s.ServiceAreas[0].Name != "Dhaka" || s.Phones[0].Number != "+88021234" || s.EligibilityDescription == "" {
		t.Errorf("service: %+v", s)
	}
	if h.Organizations[0].Services[1].Status != "inactive" {
		t.Error("inactive offer exported as active")
	}
	b, _ := json.Marshal(h)
	for _, key := range []string{`"organization_id"`, `"service_areas"`, `"opens_at"`, `"taxonomy_term"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("HSDS lacks %s", key)
		}
	}
}

func TestPlanLifecycle(t *testing.T) {
	c := StandardCatalogue()
	n := 0
	newID := func() string { n++; return "s" + itoa(n) }
	p := &Plan{Status: PlanDraft}
	in := PlanInput{Goals: []Goal{{Text: " আমি একটা দোকান দিতে চাই ", Dimension: "economic"}},
		Services: []PlannedService{{ServiceType: "skills_training", TargetDate: "2026-04-01"}}}
	if !p.Apply(in, newID) || p.Goals[0].Text != "আমি একটা দোকান দিতে চাই" || p.Services[0].ID != "s1" || p.Services[0].Status != ServicePlanned {
		t.Fatalf("apply: %+v", p)
	}
	if err := p.Agree(Agreement{Method: registry.MethodVerbalWithWitness}, c); !hasField(err, "witness") {
		t.Errorf("verbal without witness: %v", err)
	}
	if err := p.Agree(Agreement{Method: registry.MethodSignedForm, RecordedBy: "cw", At: now}, c); err != nil || p.Status != PlanActive {
		t.Fatalf("agree: %v %s", err, p.Status)
	}
	if err := p.Approve("sup", "", now); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("approve a plan without grant: %v", err)
	}
	// Adding a grant after agreement: back to draft, agree again, then a
	// supervisor approves.
	in.Services = append([]PlannedService{{ID: "s1", ServiceType: "skills_training", TargetDate: "2026-04-01"}},
		PlannedService{ServiceType: "business_grant_cash", Budget: &registry.Money{Amount: 50000, Currency: "bdt"}})
	p.Services[0].Status, p.Services[0].ReferralID = ServiceReferred, "r1"
	if !p.Apply(in, newID) || p.Status != PlanDraft || p.Agreement != nil {
		t.Fatalf("change after agreement: %s", p.Status)
	}
	if p.Services[0].Status != ServiceReferred || p.Services[0].ReferralID != "r1" || p.Services[1].Budget.Currency != "BDT" {
		t.Errorf("kept state: %+v", p.Services)
	}
	if p.Apply(PlanInput{Goals: p.Goals, Services: p.Services}, newID) {
		t.Error("the same input counts as a change")
	}
	if !p.HasGrant(c) {
		t.Error("grant not seen")
	}
	if err := p.Agree(Agreement{Method: registry.MethodDigital}, c); err != nil || p.Status != PlanAwaitingApproval {
		t.Fatalf("agree with grant: %v %s", err, p.Status)
	}
	if err := p.Agree(Agreement{Method: registry.MethodDigital}, c); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Error("agreed twice")
	}
	// Awaiting approval, the grant cannot reach a provider yet.
	if err := p.MarkReferred("s2", "r0"); homeward.ErrorCode(err) != homeward.ECONFLICT || p.Services[1].Status != ServicePlanned {
		t.Errorf("referral from a plan awaiting approval: %v", err)
	}
	if err := p.Approve("sup", "ok", now); err != nil || p.Status != PlanActive || p.Approval.By != "sup" {
		t.Fatalf("approve: %v", err)
	}
	// Closing the loop.
	r := &Referral{ID: "r1", State: StateCompleted}
	p.RecordOutcome("s1", r, now)
	if p.Services[0].Status != ServiceDelivered || p.Services[0].DeliveredAt == nil {
		t.Errorf("delivered: %+v", p.Services[0])
	}
	if err := p.MarkReferred("s1", "r2"); !hasField(err, "planned_service_id") {
		t.Error("a delivered service referred again")
	}
	if err := p.MarkReferred("s2", "r3"); err != nil || p.Services[1].Status != ServiceReferred {
		t.Error(err)
	}
	if err := p.MarkReferred("s2", "r4"); !hasField(err, "planned_service_id") || p.Services[1].ReferralID != "r3" {
		t.Errorf("a referred service referred again: %v", err)
	}
	p.RecordOutcome("s2", &Referral{ID: "other", State: StateCompleted}, now)
	if p.Services[1].Status != ServiceReferred {
		t.Error("another referral's outcome recorded")
	}
	p.RecordOutcome("s2", &Referral{ID: "r3", State: StateDeclined}, now)
	if p.Services[1].Status != ServicePlanned {
		t.Error("declined referral does not free the service")
	}
	if err := p.MarkReferred("nope", "r"); err == nil {
		t.Error("unknown service")
	}
}

func TestPlanValidateAndDue(t *testing.T) {
	c := StandardCatalogue()
	p := &Plan{Goals: []Goal{{Text: ""}, {Text: "x", Dimension: "spiritual"}},
		Services: []PlannedService{{ServiceType: "magic"}, {ServiceType: "housing", Budget: &registry.Money{Amount: -1, Currency: "TK"}, TargetDate: "soon", ProviderOrgID: "x"}}}
	err := p.Validate(c)
	for _, f := range []string{"goals[0].text", "goals[1].dimension", "services[0].service_type", "services[1].budget.amount",
		"services[1].budget.currency", "services[1].target_date", "services[1].provider_org_id"} {
		if !hasField(err, f) {
			t.Errorf("no error for %s: %v", f, err)
		}
	}
	if err := (&Plan{}).Validate(c); !hasField(err, "goals") {
		t.Error("a plan without goals")
	}
	opened := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	for ret, want := range map[string]string{"2026-02-01": "2026-03-01", "": "2026-04-05", "2026-01": "2026-02-01"} {
		if got := DueDate(ret, opened); got != want {
			t.Errorf("DueDate(%q) = %s, want %s", ret, got, want)
		}
	}
	pl := &Plan{Status: PlanDraft, DueDate: "2026-03-09"}
	if !pl.IsOverdue(now) {
		t.Error("draft past due not overdue")
	}
	pl.Status = PlanActive
	if pl.IsOverdue(now) {
		t.Error("active plan overdue")
	}
}
