package match

import "testing"

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		bad  bool
	}{
		{"", Date{}, false},
		{"1985", Date{Year: 1985, Prec: PrecYear}, false},
		{"1985-03", Date{Year: 1985, Month: 3, Prec: PrecMonth}, false},
		{"1985-03-12", Date{Year: 1985, Month: 3, Day: 12, Prec: PrecDay}, false},
		{"12/03/1985", Date{Year: 1985, Month: 3, Day: 12, Prec: PrecDay}, false},
		{"12.03.1985", Date{Year: 1985, Month: 3, Day: 12, Prec: PrecDay}, false},
		{"19850312", Date{Year: 1985, Month: 3, Day: 12, Prec: PrecDay}, false},
		{"১৯৮৫-০৩-১২", Date{Year: 1985, Month: 3, Day: 12, Prec: PrecDay}, false},
		{"03/1985", Date{Year: 1985, Month: 3, Prec: PrecMonth}, false},
		{"1985-02-30", Date{}, true},
		{"1985-13-01", Date{}, true},
		{"31/31/1985", Date{}, true},
		{"yesterday", Date{}, true},
		{"85", Date{}, true},
		{"0000", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseDate(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestCompareDate(t *testing.T) {
	tests := []struct {
		a, b string
		want Kind
	}{
		{"1985-03-12", "1985-03-12", Exact},
		{"1985", "1985-03-12", Imprecise},       // year only agrees with any date that year
		{"1985-03", "1985-03-12", Imprecise},    // month precision
		{"1985-01-01", "1985-03-12", Imprecise}, // 1 January placeholder
		{"1985-01-01", "1985-01-01", Imprecise}, // two placeholders say only the year
		{"1985-03-12", "1985-12-03", Swapped},
		{"1985-03-12", "1985-03-21", Close},
		{"1985-03-12", "1986-03-12", Close},
		{"1985-03", "1985-04", Close},
		{"1985", "1986", Close},
		{"1985-03-12", "1990-07-25", Different},
		{"1985", "1992", Different},
		{"", "1985", Missing},
	}
	for _, tt := range tests {
		a, _ := ParseDate(tt.a)
		b, _ := ParseDate(tt.b)
		got := levels[FieldDOB][compareDate(a, b)]
		if got != tt.want {
			t.Errorf("compareDate(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
		if back := levels[FieldDOB][compareDate(b, a)]; back != got {
			t.Errorf("compareDate not symmetric for %s, %s", tt.a, tt.b)
		}
	}
}

func TestCompareFields(t *testing.T) {
	p := newPreparer(nil)
	tests := []struct {
		name  string
		a, b  Record
		field Field
		want  Kind
	}{
		{"given exact", Record{GivenName: "Rafiqul"}, Record{GivenName: "RAFIQUL"}, FieldGivenName, Exact},
		{"given honorific", Record{GivenName: "Md. Rafiqul"}, Record{GivenName: "Rafiqul"}, FieldGivenName, Exact},
		{"given variant", Record{GivenName: "Mohammad Rafiqul"}, Record{GivenName: "Rafikul"}, FieldGivenName, Variant},
		{"given close", Record{GivenName: "Rafiqul"}, Record{GivenName: "Rafiqum"}, FieldGivenName, Close},
		{"given different", Record{GivenName: "Rafiqul"}, Record{GivenName: "Jahangir"}, FieldGivenName, Different},
		{"given missing", Record{GivenName: ""}, Record{GivenName: "Jahangir"}, FieldGivenName, Missing},
		{"family variant", Record{FamilyName: "Hossain"}, Record{FamilyName: "Hussain"}, FieldFamilyName, Variant},
		{"full reordered", Record{GivenName: "Islam Rafiqul", FamilyName: "Mohammad"}, Record{GivenName: "Md. Rafiqul", FamilyName: "Islam"}, FieldFullName, Reordered},
		{"full n/a when parts agree", Record{GivenName: "Rafiqul", FamilyName: "Islam"}, Record{GivenName: "Rafikul", FamilyName: "Islam"}, FieldFullName, Missing},
		{"full swapped", Record{GivenName: "Islam", FamilyName: "Rafiqul"}, Record{GivenName: "Rafiqul", FamilyName: "Islam"}, FieldFullName, Reordered},
		{"alias", Record{GivenName: "Babul", FamilyName: "Miah", Aliases: []string{"Abdul Karim"}}, Record{GivenName: "Abdul", FamilyName: "Karim"}, FieldFullName, Reordered},
		{"father order", Record{FatherName: "Md. Abdul Karim"}, Record{FatherName: "Karim Abdul"}, FieldFatherName, Variant},
		{"native", Record{FullNameNative: "রফিকুল ইসলাম"}, Record{FullNameNative: "মোঃ রফিকুল ইসলাম"}, FieldNativeName, Exact},
		{"phone formats", Record{Phones: []string{"+880 1712-345678"}}, Record{Phones: []string{"01712345678"}}, FieldPhone, Exact},
		{"phone new", Record{Phones: []string{"01712345678"}}, Record{Phones: []string{"01898765432"}}, FieldPhone, Different},
		{"passport renewed", Record{Passport: "BN0123456"}, Record{Passport: "EB0123456"}, FieldPassport, Close},
		{"nid typo", Record{NationalID: "1234567890"}, Record{NationalID: "1234567809"}, FieldNationalID, Close},
		{"address", Record{Address: "Vill. Charpara, P.O. Kashiani"}, Record{Address: "village charpara, po kashiani"}, FieldAddress, Exact},
		{"admin parent", Record{AdminArea: "BD3026"}, Record{AdminArea: "BD302612"}, FieldAdminArea, Partial},
		{"sex", Record{Sex: "Male"}, Record{Sex: "f"}, FieldSex, Different},
	}
	for _, tt := range tests {
		a, b := p.prepare(&tt.a), p.prepare(&tt.b)
		v := compare(&a, &b, nil)
		if got := levels[tt.field][v[tt.field]]; got != tt.want {
			t.Errorf("%s: %s level = %s, want %s", tt.name, tt.field, got, tt.want)
		}
	}
}

func TestLevelConstants(t *testing.T) {
	for _, f := range []Field{FieldGivenName, FieldFamilyName, FieldFatherName, FieldMotherName} {
		if level(f, Exact) != lvExact || level(f, Variant) != lvVariant || level(f, Close) != lvClose || level(f, Partial) != lvPartial || level(f, Different) != lvDifferent {
			t.Errorf("%s: level constants do not match the level table", f)
		}
	}
	for f := Field(0); f < NumFields; f++ {
		if len(levels[f]) > maxLevels || levels[f][0] != Missing {
			t.Errorf("%s: bad level table %v", f, levels[f])
		}
	}
}
