package registry

import (
	"encoding/json"
	"strings"
	"testing"
)

func validPerson() Person {
	return Person{
		GivenName: "Abdul", FamilyName: "Karim", FullNameNative: "আব্দুল করিম", Aliases: []string{"Karim Mia"},
		Sex: SexMale, DateOfBirth: DayDate(1985, 3, 12), FatherName: "Rahim Uddin", MotherName: "Fatema Begum",
		Documents: []Document{{Type: DocNationalID, Number: "1234567890", IssuingCountry: "BD"},
			{Type: DocPassport, Number: "A01234567", IssuingCountry: "BD", ValidUntil: DayDate(2030, 1, 1)}},
		Phones:    []string{"+8801712345678"},
		Address:   Address{AdminArea: "BD302602", Text: "House 5, Road 2", Postcode: "1207"},
		Household: []HouseholdMember{{Relationship: RelSpouse, Age: ptr(30), Sex: SexFemale, Dependant: true}},
		Education: EduSecondary, Languages: []string{"bn", "ar"},
		Disability: &Disability{Seeing: WGNoDifficulty, Hearing: WGSome},
	}
}

func TestPersonValid(t *testing.T) {
	p := validPerson()
	if err := p.Validate(now); err != nil {
		t.Fatalf("valid person: %v", problems(t, err))
	}
	native := Person{FullNameNative: "محمد علي", Sex: SexUnknown}
	if err := native.Validate(now); err != nil {
		t.Errorf("native-only name: %v", problems(t, err))
	}
}

func TestPersonValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Person)
		want   []string
	}{
		{"no name", func(p *Person) { p.GivenName, p.FamilyName, p.FullNameNative = "", "", "" }, []string{"given_name=registry.person.name_required"}},
		{"Bangla in Latin field", func(p *Person) { p.GivenName = "করিম" }, []string{"given_name=registry.person.name_latin"}},
		{"digits in name", func(p *Person) { p.FamilyName = "Karim2" }, []string{"family_name=registry.person.name_latin"}},
		{"Latin in native field", func(p *Person) { p.FullNameNative = "Abdul Karim" }, []string{"full_name_native=registry.person.name_native"}},
		{"long name", func(p *Person) { p.GivenName = strings.Repeat("a", 101) }, []string{"given_name=error.field.too_long"}},
		{"accented Latin ok", func(p *Person) { p.GivenName = "José-María O'Neil" }, nil},
		{"Urdu ok", func(p *Person) { p.FullNameNative = "عبدالکریم" }, nil},
		{"empty alias", func(p *Person) { p.Aliases = []string{"ok", ""} }, []string{"aliases[1]=error.field.required"}},
		{"too many aliases", func(p *Person) { p.Aliases = make([]string, 21) }, []string{"aliases=registry.list.too_many"}},
		{"no sex", func(p *Person) { p.Sex = "" }, []string{"sex=error.field.required"}},
		{"bad sex", func(p *Person) { p.Sex = "M" }, []string{"sex=error.field.invalid_choice"}},
		{"born in the future", func(p *Person) { p.DateOfBirth = DayDate(2026, 3, 16) }, []string{"date_of_birth=registry.person.born_future"}},
		{"born today ok", func(p *Person) { p.DateOfBirth = DayDate(2026, 3, 15) }, nil},
		{"born this year ok", func(p *Person) { p.DateOfBirth = YearDate(2026) }, nil},
		{"born next year", func(p *Person) { p.DateOfBirth = YearDate(2027) }, []string{"date_of_birth=registry.person.born_future"}},
		{"too old", func(p *Person) { p.DateOfBirth = YearDate(1880) }, []string{"date_of_birth=registry.person.too_old"}},
		{"impossible date", func(p *Person) { p.DateOfBirth = DayDate(1985, 2, 30) }, []string{"date_of_birth=registry.date.invalid_parts"}},
		{"control char", func(p *Person) { p.FatherName = "Rahim\x00" }, []string{"father_name=registry.text.control"}},
		{"document type", func(p *Person) { p.Documents[0].Type = "driving_licence" }, []string{"documents[0].type=error.field.invalid_choice"}},
		{"document number missing", func(p *Person) { p.Documents[0].Number = "" }, []string{"documents[0].number=error.field.required"}},
		{"BD NID length", func(p *Person) { p.Documents[0].Number = "12345" }, []string{"documents[0].number=registry.document.bd_nid"}},
		{"BD NID 13", func(p *Person) { p.Documents[0].Number = "1234567890123" }, nil},
		{"BD NID 17", func(p *Person) { p.Documents[0].Number = "19851234567890123" }, nil},
		{"PK CNIC", func(p *Person) {
			p.Documents[0] = Document{Type: DocNationalID, Number: "123456789012", IssuingCountry: "PK"}
		}, []string{"documents[0].number=registry.document.pk_cnic"}},
		{"IQ card", func(p *Person) { p.Documents[0] = Document{Type: DocNationalID, Number: "12345", IssuingCountry: "IQ"} }, []string{"documents[0].number=registry.document.iq_nid"}},
		{"BD birth registration", func(p *Person) {
			p.Documents[0] = Document{Type: DocBirthRegistration, Number: "123", IssuingCountry: "BD"}
		}, []string{"documents[0].number=registry.document.bd_brn"}},
		{"BD passport", func(p *Person) { p.Documents[1].Number = "1234567" }, []string{"documents[1].number=registry.document.bd_passport"}},
		{"BD MRP passport", func(p *Person) { p.Documents[1].Number = "AB1234567" }, nil},
		{"PK passport", func(p *Person) {
			p.Documents[1] = Document{Type: DocPassport, Number: "A1234567", IssuingCountry: "PK"}
		}, []string{"documents[1].number=registry.document.pk_passport"}},
		{"other passport", func(p *Person) { p.Documents[1] = Document{Type: DocPassport, Number: "X12", IssuingCountry: "IN"} }, []string{"documents[1].number=registry.document.passport_length"}},
		{"other document", func(p *Person) { p.Documents[1] = Document{Type: DocOther, Number: "AB"} }, []string{"documents[1].number=registry.document.length"}},
		{"document chars", func(p *Person) { p.Documents[0].Number = "12345-67890" }, []string{"documents[0].number=registry.document.chars"}},
		{"issuing country required", func(p *Person) { p.Documents[0].IssuingCountry = "" }, []string{"documents[0].issuing_country=error.field.required"}},
		{"issuing country unknown", func(p *Person) { p.Documents[0].IssuingCountry = "XX" }, []string{"documents[0].issuing_country=error.field.invalid_country"}},
		{"issuing country alpha-3", func(p *Person) { p.Documents[0].IssuingCountry = "BGD" }, []string{"documents[0].issuing_country=error.field.invalid_country"}},
		{"duplicate document", func(p *Person) { p.Documents = append(p.Documents, p.Documents[0]) }, []string{"documents[2]=registry.document.duplicate"}},
		{"phone not E.164", func(p *Person) { p.Phones = []string{"01712345678"} }, []string{"phones[0]=registry.phone.no_country"}},
		{"phone malformed", func(p *Person) { p.Phones = append(p.Phones, "+88017") }, []string{"phones[1]=registry.phone.length"}},
		{"phone spaced", func(p *Person) { p.Phones = []string{"+880 1712 345678"} }, []string{"phones[0]=registry.phone.not_e164"}},
		{"phone twice", func(p *Person) { p.Phones = append(p.Phones, p.Phones[0]) }, []string{"phones[1]=registry.phone.duplicate"}},
		{"unknown p-code", func(p *Person) { p.Address.AdminArea = "BD999999" }, []string{"address.admin_area=error.field.invalid_pcode"}},
		{"division only", func(p *Person) { p.Address.AdminArea = "BD30" }, []string{"address.admin_area=registry.address.too_coarse"}},
		{"district ok", func(p *Person) { p.Address.AdminArea = "BD3026" }, nil},
		{"Pakistani district", func(p *Person) { p.Address = Address{AdminArea: "PK201", Postcode: "87300"} }, nil},
		{"postcode BD", func(p *Person) { p.Address.Postcode = "12070" }, []string{"address.postcode=registry.address.postcode"}},
		{"household relationship", func(p *Person) { p.Household[0].Relationship = "cousin" }, []string{"household[0].relationship=error.field.invalid_choice"}},
		{"household age", func(p *Person) { p.Household[0].Age = ptr(-1) }, []string{"household[0].age=registry.age.range"}},
		{"household missing relationship", func(p *Person) { p.Household[0].Relationship = "" }, []string{"household[0].relationship=error.field.required"}},
		{"education", func(p *Person) { p.Education = "phd" }, []string{"education=error.field.invalid_choice"}},
		{"language", func(p *Person) { p.Languages = []string{"bn", "ben"} }, []string{"languages[1]=registry.language.invalid"}},
		{"WG answer", func(p *Person) { p.Disability.Walking = "yes" }, []string{"disability.walking=error.field.invalid_choice"}},
		{"many at once", func(p *Person) { p.Sex = ""; p.DateOfBirth = YearDate(2030); p.Phones = []string{"x"} }, []string{
			"sex=error.field.required", "date_of_birth=registry.person.born_future", "phones[0]=registry.phone.invalid_chars"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPerson()
			tt.change(&p)
			wantProblems(t, p.Validate(now), tt.want...)
		})
	}
}

func TestPersonNormalize(t *testing.T) {
	p := Person{GivenName: "  Abdul   Karim ", Phones: []string{"01712-345678", "bad"}, Sex: "",
		Documents: []Document{{Type: DocPassport, Number: "ab 123-4567", IssuingCountry: "bgd"}},
		Address:   Address{AdminArea: " bd302602 "}, Languages: []string{" BN "}}
	p.Normalize("BD")
	if p.GivenName != "Abdul Karim" || p.Phones[0] != "+8801712345678" || p.Phones[1] != "bad" || p.Sex != SexUnknown ||
		p.Documents[0].Number != "AB1234567" || p.Documents[0].IssuingCountry != "BD" || p.Address.AdminArea != "BD302602" || p.Languages[0] != "bn" {
		t.Errorf("Normalize: %+v", p)
	}
	if p.PassportNumber() != "AB1234567" || p.NationalID() != "" {
		t.Error("document helpers")
	}
}

func TestPersonJSON(t *testing.T) {
	p := validPerson()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"self_care"`) {
		t.Errorf("unanswered WG domains should be omitted: %s", b)
	}
	for _, want := range []string{`"given_name":"Abdul"`, `"date_of_birth":"1985-03-12"`, `"valid_until":"2030-01-01"`, `"admin_area":"BD302602"`, `"hearing":"some"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	var back Person
	if err := json.Unmarshal(b, &back); err != nil || back.DateOfBirth != p.DateOfBirth || back.Documents[1].ValidUntil != p.Documents[1].ValidUntil {
		t.Errorf("round trip: %v %+v", err, back)
	}
	if b, _ := json.Marshal(Person{Sex: SexUnknown}); string(b) != `{"sex":"unknown"}` {
		t.Errorf("empty person JSON: %s", b)
	}
}

func TestDisability(t *testing.T) {
	tests := []struct {
		d        Disability
		has, all bool
	}{
		{Disability{}, false, false},
		{Disability{Seeing: WGSome, Hearing: WGSome, Walking: WGSome, Cognition: WGSome, SelfCare: WGSome, Communication: WGSome}, false, true},
		{Disability{Walking: WGALot}, true, false},
		{Disability{Communication: WGCannot}, true, false},
		{Disability{Seeing: WGNoDifficulty, Hearing: WGNoDifficulty, Walking: WGNoDifficulty, Cognition: WGNoDifficulty, SelfCare: WGNoDifficulty, Communication: WGNoDifficulty}, false, true},
	}
	for i, tt := range tests {
		if tt.d.HasDisability() != tt.has || tt.d.Complete() != tt.all {
			t.Errorf("%d: HasDisability=%v Complete=%v", i, tt.d.HasDisability(), tt.d.Complete())
		}
	}
}
