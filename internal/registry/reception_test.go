package registry

import "testing"

func TestReceptionDraft(t *testing.T) {
	r := Reception{GivenName: "Rina", FamilyName: "Akter", Sex: SexFemale, ApproxAge: ptr(35), Phone: "01712-345678",
		DestinationCountry: "SAU", PointOfEntry: "bd-dac", ReturnType: ReturnCrisisEvacuation,
		Services: []ReceptionService{ServiceInformation, ServiceEmergencyCash}}
	p, e, c, err := r.Draft("BD", now)
	if err != nil {
		t.Fatalf("Draft: %v", problems(t, err))
	}
	if p.DateOfBirth != YearDate(1991) || p.Phones[0] != "+8801712345678" || p.Sex != SexFemale {
		t.Errorf("person %+v", p)
	}
	if e.DestinationCountry != "SA" || e.Return.Date != DayDate(2026, 3, 15) || e.Return.PointOfEntry != "BD-DAC" || len(e.Return.ReceptionServices) != 2 {
		t.Errorf("episode %+v %+v", e, e.Return)
	}
	if c.Status != StatusRegistered || !c.Incomplete || c.Priority != PriorityHigh || !c.OpenedAt.Equal(now) {
		t.Errorf("case %+v", c)
	}
	if err := p.Validate(now); err != nil {
		t.Errorf("drafted person invalid: %v", problems(t, err))
	}
	if err := c.Validate(); err != nil {
		t.Errorf("drafted case invalid: %v", problems(t, err))
	}
	old := Reception{FullNameNative: "রহিম", Sex: SexMale, ApproxAge: ptr(70), DestinationCountry: "MY", ReturnType: ReturnVoluntary, ReturnDate: DayDate(2026, 3, 1)}
	_, _, c, err = old.Draft("BD", now)
	if err != nil || c.Priority != PriorityNormal || len(c.Vulnerabilities) != 1 || c.Vulnerabilities[0] != VulnElderly {
		t.Errorf("elderly: %v %+v", err, c)
	}
}

func TestReceptionValidation(t *testing.T) {
	base := Reception{GivenName: "Rina", Sex: SexFemale, DestinationCountry: "SA", ReturnType: ReturnDeported}
	tests := []struct {
		name   string
		change func(r *Reception)
		want   []string
	}{
		{"valid", func(r *Reception) {}, nil},
		{"nothing", func(r *Reception) { *r = Reception{} }, []string{"given_name=registry.person.name_required", "sex=error.field.required",
			"return_type=error.field.required", "destination_country=error.field.required"}},
		{"age and dob", func(r *Reception) { r.ApproxAge, r.DateOfBirth = ptr(30), YearDate(1990) }, []string{"approx_age=registry.reception.age_and_dob"}},
		{"age range", func(r *Reception) { r.ApproxAge = ptr(200) }, []string{"approx_age=registry.age.range"}},
		{"bad phone", func(r *Reception) { r.Phone = "0171" }, []string{"phone=registry.phone.length"}},
		{"bad country", func(r *Reception) { r.DestinationCountry = "Atlantis" }, []string{"destination_country=error.field.invalid_country"}},
		{"return date future", func(r *Reception) { r.ReturnDate = DayDate(2026, 5, 1) }, []string{"return_date=registry.return.date_future"}},
		{"return before birth", func(r *Reception) { r.DateOfBirth, r.ReturnDate = DayDate(2000, 1, 1), DayDate(1999, 1, 1) }, []string{"return_date=registry.return.before_birth"}},
		{"bad point", func(r *Reception) { r.PointOfEntry = "XX" }, []string{"point_of_entry=registry.return.point_of_entry"}},
		{"bad service", func(r *Reception) { r.Services = []ReceptionService{"food"} }, []string{"services[0]=error.field.invalid_choice"}},
		{"bad return type", func(r *Reception) { r.ReturnType = "fled" }, []string{"return_type=error.field.invalid_choice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.change(&r)
			_, _, _, err := r.Draft("BD", now)
			wantProblems(t, err, tt.want...)
		})
	}
}

func TestRegistrationValidate(t *testing.T) {
	ok := Registration{Person: validPerson(), Episodes: []MigrationEpisode{validEpisode()},
		Consents: []Consent{{Purpose: PurposeRegistration, Method: MethodSignedForm, RecordedBy: "u1", RecordedAt: now}}}
	ok.Normalize("BD")
	if err := ok.Validate(now); err != nil {
		t.Fatalf("valid registration: %v", problems(t, err))
	}
	bad := ok
	bad.Person.Phones = []string{"+88017"}
	bad.Episodes = []MigrationEpisode{{DestinationCountry: "XX"}}
	bad.Consents = []Consent{{Purpose: PurposeContact, RecordedBy: "u1", RecordedAt: now}}
	wantProblems(t, bad.Validate(now),
		"person.phones[0]=registry.phone.length",
		"episodes[0].destination_country=error.field.invalid_country",
		"episodes=registry.registration.return_required",
		"consents[0].method=error.field.required")
}
