package registry

import (
	"slices"
	"strings"
	"testing"

	"homeward/internal/country"
)

// pakistaniRegistration is a valid registration by an organisation in
// Pakistan: a Lahore address, a CNIC, a local mobile number.
func pakistaniRegistration(cnic, area string) Registration {
	p := Person{GivenName: "Imran", FamilyName: "Khan", FullNameNative: "عمران خان", Sex: SexMale, DateOfBirth: DayDate(1988, 4, 2),
		Documents: []Document{{Type: DocNationalID, Number: cnic, IssuingCountry: "PK"}},
		Phones:    []string{"0300 1234567"},
		Address:   Address{AdminArea: area, Postcode: "54000"},
	}
	e := validEpisode()
	e.Return.PointOfEntry = "PK-LHE"
	e.MigrationCost, e.DebtOutstanding, e.Remittances = nil, nil, nil
	return Registration{Person: p, Episodes: []MigrationEpisode{e}}
}

func TestRegistrationInPakistan(t *testing.T) {
	lahore := "PK617" // Lahore district, Punjab
	for _, tc := range []struct {
		name, cnic, area string
		want             []string
		stored           string
	}{
		{"CNIC with dashes", "35202-1234567-1", lahore, nil, "3520212345671"},
		{"CNIC without dashes", "3520212345671", lahore, nil, "3520212345671"},
		{"CNIC in Urdu digits", "۳۵۲۰۲-۱۲۳۴۵۶۷-۱", lahore, nil, "3520212345671"},
		{"CNIC of 12 digits", "35202-123456-1", lahore, []string{"person.documents[0].number=country.document.format"}, ""},
		{"CNIC short, no dashes", "352021234567", lahore, []string{"person.documents[0].number=registry.document.pk_cnic"}, ""},
		{"CNIC dashes misplaced", "3520-21234567-1", lahore, []string{"person.documents[0].number=country.document.format"}, ""},
		{"CNIC with a letter", "35202-1234567-X", lahore, []string{"person.documents[0].number=registry.document.pk_cnic"}, ""},
		{"an Iraqi district", "3520212345671", "IQG11Q02", []string{"person.address.admin_area=country.area.other_country"}, ""},
		{"a Bangladeshi district", "3520212345671", "BD3026", []string{"person.address.admin_area=country.area.other_country", "person.address.postcode=registry.address.postcode"}, ""},
		{"a province only", "3520212345671", "PK6", []string{"person.address.admin_area=registry.address.too_coarse"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := pakistaniRegistration(tc.cnic, tc.area)
			reg.Normalize("pk")
			got := problems(t, reg.Validate(now))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("problems %v, want %v", got, tc.want)
			}
			if tc.want == nil {
				if n := reg.Person.Documents[0].Number; n != tc.stored {
					t.Errorf("stored %q, want %q", n, tc.stored)
				}
				if ph := reg.Person.Phones[0]; ph != "+923001234567" {
					t.Errorf("phone %q", ph)
				}
				if s := ShowDocumentNumber(DocNationalID, "PK", reg.Person.Documents[0].Number); s != "35202-1234567-1" {
					t.Errorf("shown %q", s)
				}
			}
		})
	}
}

func TestIraqiCardAndAreas(t *testing.T) {
	reg := pakistaniRegistration("3520212345671", "IQG11Q02")
	reg.Person.Documents = []Document{{Type: DocNationalID, Number: "1990 1234 5678", IssuingCountry: "IQ"}}
	reg.Person.Phones = []string{"0770 123 4567"}
	reg.Person.Address.Postcode = ""
	reg.Episodes[0].Return.PointOfEntry = "IQ-EBL"
	reg.Normalize("IQ")
	if got := problems(t, reg.Validate(now)); got != nil {
		t.Fatalf("an Iraqi registration: %v", got)
	}
	if reg.Person.Documents[0].Number != "199012345678" || reg.Person.Phones[0] != "+9647701234567" {
		t.Errorf("normalised %+v %v", reg.Person.Documents, reg.Person.Phones)
	}
	// Iraq's points of entry are named in Sorani (Homeward's own, see the
	// pack's SOURCES.md), Arabic and English.
	if p := PointOfEntryByCode("IQ-EBL"); p == nil || p.Name("ckb") != "فڕۆکەخانەی نێودەوڵەتیی هەولێر" || p.Name("ar") != "مطار أربيل الدولي" || p.Name("en") != "Erbil International Airport" {
		t.Errorf("IQ-EBL = %+v", p)
	}
	for _, p := range PointsOfEntry("IQ") {
		if p.Names["ckb"] == "" {
			t.Errorf("%s has no Sorani name", p.Code)
		}
	}
	for n, want := range map[string]string{"19901234567": "registry.document.iq_nid", "19901234567A": "registry.document.iq_nid", "1990123456789": "registry.document.iq_nid"} {
		d := Document{Type: DocNationalID, Number: n, IssuingCountry: "IQ"}
		if key, _ := checkDocumentNumber(d.Type, d.IssuingCountry, d.Number); key != want {
			t.Errorf("%s: %q, want %s", n, key, want)
		}
	}
	reg.Person.Address.AdminArea = "IQG01" // a governorate: too coarse
	if got := strings.Join(problems(t, reg.Validate(now)), " "); got != "person.address.admin_area=registry.address.too_coarse" {
		t.Errorf("a governorate: %s", got)
	}
}

func TestBangladeshUnchanged(t *testing.T) {
	// The Bangladeshi person of the other tests, registered by a
	// Bangladeshi organisation, is as valid as before packs.
	reg := Registration{Person: validPerson(), Episodes: []MigrationEpisode{validEpisode()}}
	reg.Normalize("BD")
	if got := problems(t, reg.Validate(now)); got != nil {
		t.Fatalf("a Bangladeshi registration: %v", got)
	}
	if c := ShowDocumentNumber(DocNationalID, "BD", "1234567890"); c != "1234567890" {
		t.Errorf("a BD NID has no written format: %q", c)
	}
	// Without a country (a store that knows none) no area is refused.
	reg.country = ""
	reg.Person.Address.AdminArea = "PK604"
	reg.Person.Address.Postcode = "54000"
	if got := problems(t, reg.Validate(now)); got != nil {
		t.Errorf("no country: %v", got)
	}
}

// A point of entry of another country is refused, with the field named, in
// a registration (API and web forms) and at the reception desk; the
// instance's own ports, unknown codes (their own message) and stores that
// know no country are as before.
func TestPortOfAnotherCountry(t *testing.T) {
	for _, tc := range []struct {
		name, home, port string
		want             []string
	}{
		{"Lahore in Pakistan", "PK", "PK-LHE", nil},
		{"Lahore, lower case", "PK", "pk-lhe", nil},
		{"Dhaka airport in Pakistan", "PK", "BD-DAC", []string{"episodes[0].return.point_of_entry=country.port.other_country"}},
		{"Erbil in Pakistan", "PK", "IQ-EBL", []string{"episodes[0].return.point_of_entry=country.port.other_country"}},
		{"Torkham in Iraq", "IQ", "PK-TORKHAM", []string{"episodes[0].return.point_of_entry=country.port.other_country"}},
		{"Benapole in Bangladesh", "BD", "BD-BENAPOLE", nil},
		{"Wagah in Bangladesh", "BD", "PK-WAGAH", []string{"episodes[0].return.point_of_entry=country.port.other_country"}},
		{"an unknown port", "PK", "PK-NOWHERE", []string{"episodes[0].return.point_of_entry=registry.return.point_of_entry"}},
		{"no country known", "", "IQ-EBL", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := pakistaniRegistration("3520212345671", "PK617")
			reg.Person.Documents, reg.Person.Phones, reg.Person.Address = nil, nil, Address{}
			reg.Episodes[0].Return.PointOfEntry = tc.port
			reg.Normalize(tc.home)
			if got := problems(t, reg.Validate(now)); !slices.Equal(got, tc.want) {
				t.Fatalf("problems %v, want %v", got, tc.want)
			}
			// The reception desk names its own field.
			r := Reception{GivenName: "Imran", Sex: SexMale, DestinationCountry: "SA", ReturnType: ReturnDeported, PointOfEntry: tc.port}
			checkReception(t, r, tc.home, tc.want)
		})
	}
	// The message says which country the port belongs to and which one the
	// instance serves.
	reg := pakistaniRegistration("3520212345671", "PK617")
	reg.Episodes[0].Return.PointOfEntry = "BD-DAC"
	reg.Normalize("PK")
	err := reg.Validate(now)
	if err == nil || !strings.Contains(err.Error(), "“BD-DAC” is a point of entry of another country (BD); this instance serves PK") {
		t.Errorf("message: %v", err)
	}
}

// Return types follow the instance's pack: Iraq's camp returns are accepted
// there and refused elsewhere with a message naming the field; Bangladesh
// keeps exactly its five codes; an unknown code keeps its own message.
func TestReturnTypesInLocalUse(t *testing.T) {
	if got := ReturnTypesFor("BD"); !slices.Equal(got, []ReturnType{ReturnVoluntary, ReturnAssistedVoluntary, ReturnDeported, ReturnCrisisEvacuation, ReturnEndOfContract}) {
		t.Errorf("BD return types %v", got)
	}
	if got := ReturnTypesFor("IQ"); !slices.Contains(got, "idp_camp_return") || slices.Contains(ReturnTypesFor("PK"), "idp_camp_return") {
		t.Errorf("IQ %v, PK %v", got, ReturnTypesFor("PK"))
	}
	if got := ReturnTypesFor("NP"); !slices.Equal(got, ReturnTypes) {
		t.Errorf("no pack: %v", got)
	}
	for _, tc := range []struct {
		name, home string
		rt         ReturnType
		want       []string
	}{
		{"camp return in Iraq", "IQ", "idp_camp_return", nil},
		{"camp return in Pakistan", "PK", "idp_camp_return", []string{"episodes[0].return.return_type=country.return_type.not_in_use"}},
		{"camp return in Bangladesh", "BD", "idp_camp_return", []string{"episodes[0].return.return_type=country.return_type.not_in_use"}},
		{"deported in Bangladesh", "BD", ReturnDeported, nil},
		{"end of contract in Pakistan", "PK", ReturnEndOfContract, nil},
		{"an unknown type", "IQ", "smuggled", []string{"episodes[0].return.return_type=error.field.invalid_choice"}},
		{"no country known", "", "idp_camp_return", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkReturn(t, tc.home, func(r *Return) { r.ReturnType = tc.rt }, tc.want)
			r := Reception{GivenName: "Ali", Sex: SexMale, DestinationCountry: "DE", ReturnType: tc.rt}
			checkReception(t, r, tc.home, tc.want)
		})
	}
	// Import: the column is named.
	csv := "external_id,given_name,sex,destination_country,return_date,return_type\nX1,Ali,male,DE,2026-01-10,idp_camp_return\n"
	for home, want := range map[string]string{"IQ": "", "BD": "2 return_type=country.return_type.not_in_use"} {
		_, rows, err := readAll(t, []byte(csv), FormatCSV, ImportOptions{DefaultCountry: home})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rowProblems(rows), " "); got != want {
			t.Errorf("import on %s: %q, want %q", home, got, want)
		}
	}
}

// checkReturn registers a person with only what every country accepts
// (no documents, phones, address or port), the return set by set, on an
// instance of home, and compares the registration's problems with want.
func checkReturn(t *testing.T, home string, set func(*Return), want []string) {
	t.Helper()
	reg := pakistaniRegistration("3520212345671", "PK617")
	reg.Person.Documents, reg.Person.Phones, reg.Person.Address = nil, nil, Address{}
	reg.Episodes[0].Return.PointOfEntry = ""
	set(reg.Episodes[0].Return)
	reg.Normalize(home)
	if got := problems(t, reg.Validate(now)); !slices.Equal(got, want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
}

// checkReception drafts r for home and compares its problems with want, a
// registration's problems: the desk names the return's fields at its top
// level ("point_of_entry" for "episodes[0].return.point_of_entry").
func checkReception(t *testing.T, r Reception, home string, want []string) {
	t.Helper()
	_, _, _, err := r.Draft(home, now)
	var desk []string
	for _, w := range want {
		desk = append(desk, strings.Replace(w, "episodes[0].return.", "", 1))
	}
	if got := problems(t, err); !slices.Equal(got, desk) {
		t.Errorf("reception: problems %v, want %v", got, desk)
	}
}

// Reasons for return are coded choices of those in local use: a camp's
// closure in Iraq, an amnesty in Pakistan; one of another country, an
// unknown code or one given twice is refused, naming the reason's place;
// codes are read in any case and spacing, and named in the pack's
// languages.
func TestReturnReasonsInLocalUse(t *testing.T) {
	codes := func(ns []country.Named) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Code)
		}
		return out
	}
	if iq, pk := codes(ReturnReasonsFor("IQ")), codes(ReturnReasonsFor("PK")); !slices.Contains(iq, "camp_closure") || slices.Contains(pk, "camp_closure") ||
		!slices.Contains(pk, "amnesty_repatriation") || !slices.Contains(pk, "wages_unpaid") || ReturnReasonsFor("NP") != nil {
		t.Errorf("IQ %v, PK %v", iq, pk)
	}
	for _, tc := range []struct {
		name, home string
		reasons    []string
		want       []string
	}{
		{"camp closure in Iraq", "IQ", []string{"camp_closure", " Wages_Unpaid "}, nil},
		{"camp closure in Pakistan", "PK", []string{"wages_unpaid", "camp_closure"}, []string{"episodes[0].return.reasons[1]=country.return_reason.not_in_use"}},
		{"an unknown reason", "PK", []string{"bored"}, []string{"episodes[0].return.reasons[0]=registry.return.reason_code"}},
		{"a reason twice", "BD", []string{"job_lost", "job_lost"}, []string{"episodes[0].return.reasons[1]=registry.return.reason_code"}},
		{"amnesty in Pakistan", "PK", []string{"amnesty_repatriation"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkReturn(t, tc.home, func(r *Return) { r.Reasons = tc.reasons }, tc.want)
		})
	}
	// Import: a return_reasons column of codes separated by semicolons or
	// commas; a reason unknown or of another country is refused, naming
	// the column.
	csv := "external_id,given_name,sex,destination_country,return_date,return_reasons\n" +
		"X1,Ali,male,SA,2026-01-10,Wages_Unpaid; amnesty_repatriation\n" +
		"X2,Omar,male,SA,2026-01-10,\"job_lost,camp_closure\"\n" +
		"X3,Asad,male,SA,2026-01-10,bored\n"
	_, rows, err := readAll(t, []byte(csv), FormatCSV, ImportOptions{DefaultCountry: "PK"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rowProblems(rows), " "), "3 return_reasons=country.return_reason.not_in_use 4 return_reasons=registry.import.return_reasons"; got != want {
		t.Errorf("import: %q, want %q", got, want)
	}
	if got := rows[0].Episode.Return.Reasons; !slices.Equal(got, []string{"wages_unpaid", "amnesty_repatriation"}) {
		t.Errorf("imported reasons %v", got)
	}
	for _, tc := range []struct{ home, code, lang, want string }{
		{"PK", "wages_unpaid", "ur", "اجرت نہیں ملی یا کاٹ لی گئی"},
		{"IQ", "camp_closure", "ckb", "داخستنی کەمپی ئاوارەکان"},
		{"BD", "wages_unpaid", "bn", "মজুরি পাননি বা কমানো হয়েছে"},
		{"BD", "camp_closure", "bn", "The displacement camp closed"}, // another pack's, in English
		{"PK", "bored", "ur", "bored"},
	} {
		if got := ReturnReasonName(tc.home, tc.code, tc.lang); got != tc.want {
			t.Errorf("%s %s in %s = %q, want %q", tc.home, tc.code, tc.lang, got, tc.want)
		}
	}
}
