package match

import (
	"fmt"
	"testing"
)

// A nickname from the table is a variant of the given name; two nicknames
// of one name are not (the table is not transitive), and the table is
// only for given names.
func TestNicknames(t *testing.T) {
	p := newPreparer(nil)
	tests := []struct {
		name  string
		a, b  Record
		field Field
		want  Kind
	}{
		{"bill is william", Record{GivenName: "William"}, Record{GivenName: "Bill"}, FieldGivenName, Variant},
		{"harry is henry", Record{GivenName: "Harry"}, Record{GivenName: "Henry"}, FieldGivenName, Variant},
		{"tom is thomas, with a middle name", Record{GivenName: "Thomas Clifford"}, Record{GivenName: "Tom"}, FieldGivenName, Variant},
		{"two nicknames of aaron", Record{GivenName: "Erin"}, Record{GivenName: "Ronnie"}, FieldGivenName, Different},
		{"not a nickname", Record{GivenName: "William"}, Record{GivenName: "Harry"}, FieldGivenName, Different},
		{"father's names have no nicknames", Record{FatherName: "Henry"}, Record{FatherName: "Harry"}, FieldFatherName, Different},
		{"artie is art is arthur", Record{GivenName: "Arthur"}, Record{GivenName: "Artie"}, FieldGivenName, Variant},
		{"tommie is tom is thomas", Record{GivenName: "Tommie"}, Record{GivenName: "Thomas"}, FieldGivenName, Variant},
		{"a diminutive of nothing listed", Record{GivenName: "Arthur"}, Record{GivenName: "Archie"}, FieldGivenName, Different},
		{"addie is addy is adelaide", Record{GivenName: "Addie"}, Record{GivenName: "Adelaide"}, FieldGivenName, Variant},
		{"harold and henry are both harry", Record{GivenName: "Harold"}, Record{GivenName: "Henry"}, FieldGivenName, Partial},
		{"john and henry share no nickname", Record{GivenName: "John"}, Record{GivenName: "Henry"}, FieldGivenName, Different},
		{"an initial", Record{GivenName: "J."}, Record{GivenName: "John"}, FieldGivenName, Partial},
		{"another initial", Record{GivenName: "W"}, Record{GivenName: "John"}, FieldGivenName, Different},
	}
	for _, tt := range tests {
		a, b := p.prepare(&tt.a), p.prepare(&tt.b)
		v := compare(&a, &b, nil)
		if got := levels[tt.field][v[tt.field]]; got != tt.want {
			t.Errorf("%s: %s level = %s, want %s", tt.name, tt.field, got, tt.want)
		}
	}
	if len(nicknamePairs()) < 4000 {
		t.Errorf("nickname table: %d pairs, want the whole file", len(nicknamePairs()))
	}
}

// Validation refuses these dates; comparison reads what it can of them.
func TestReadDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
	}{
		{"1630-08-01", Date{Year: 1630, Month: 8, Day: 1, Prec: PrecDay}},
		{"1851-04-82", Date{Year: 1851, Month: 4, Prec: PrecMonth}},
		{"1850-81-01", Date{Year: 1850, Prec: PrecYear}},
		{"1835-04-31", Date{Year: 1835, Month: 4, Prec: PrecMonth}},
		{"0850-01-01", Date{}}, // not a plausible year: missing
		{"soon", Date{}},
		{"1985-03-12", Date{Year: 1985, Month: 3, Day: 12, Prec: PrecDay}},
	}
	for _, tt := range tests {
		if got := readDate(tt.in); got != tt.want {
			t.Errorf("readDate(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for _, s := range []string{"1630-08-01", "1851-04-82", "1850-81-01"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted a date validation must refuse", s)
		}
	}
}

// The full name is a second look at the name parts when neither agreed in
// place. A shared family name counts once; a name with nothing in common
// counts nothing more than its given and family names already did.
func TestFullNameCountsOnce(t *testing.T) {
	p := newPreparer(nil)
	m := newScorer(DefaultModel())
	pair := func(a, b Record) (Vector, [NumFields]float64) {
		x, y := p.prepare(&a), p.prepare(&b)
		_, v, ws, _ := m.score(&x, &y, nil, 1000)
		return v, ws
	}
	v, _ := pair(Record{GivenName: "Frank", FamilyName: "Moore"}, Record{GivenName: "Bernard", FamilyName: "Moore"})
	if v[FieldFullName] != 0 {
		t.Errorf("Frank Moore / Bernard Moore: full name level %s, want missing (the family name counted already)", levels[FieldFullName][v[FieldFullName]])
	}
	v, ws := pair(Record{GivenName: "Moore", FamilyName: "Frank"}, Record{GivenName: "Frank", FamilyName: "Moore"})
	if levels[FieldFullName][v[FieldFullName]] != Reordered || ws[FieldFullName] <= 0 {
		t.Errorf("swapped names: full name %s weighing %.1f, want reordered and positive", levels[FieldFullName][v[FieldFullName]], ws[FieldFullName])
	}
	v, ws = pair(Record{GivenName: "Frank", FamilyName: "Moore"}, Record{GivenName: "Jahangir", FamilyName: "Alam"})
	if levels[FieldFullName][v[FieldFullName]] != Different || ws[FieldFullName] != 0 {
		t.Errorf("different names: full name %s weighing %.1f, want different weighing 0", levels[FieldFullName][v[FieldFullName]], ws[FieldFullName])
	}
	if ws[FieldGivenName] >= 0 || ws[FieldFamilyName] >= 0 {
		t.Errorf("different names: given %.1f, family %.1f, want both against", ws[FieldGivenName], ws[FieldFamilyName])
	}
}

// tfStats builds statistics over recs.
func tfStats(p *preparer, recs []Record) (*Stats, []prepared) {
	st := NewStats()
	ps := make([]prepared, len(recs))
	for i := range recs {
		ps[i] = p.prepare(&recs[i])
		st.add(&ps[i], 1)
	}
	return st, ps
}

// Agreeing on a town many records share says less than agreeing on a
// rare place; a value written many times for one person is not common
// when the model expects that many duplicates.
func TestTermFrequencyAddressAndDuplicates(t *testing.T) {
	p := newPreparer(nil)
	var recs []Record
	for i := 0; i < 3000; i++ {
		addr := fmt.Sprintf("village %d, union %d", i, i%97)
		if i < 600 {
			addr = "London"
		}
		recs = append(recs, Record{GivenName: fmt.Sprintf("g%d", i%50), FamilyName: fmt.Sprintf("Family%d", i), Address: addr})
	}
	// Ten records of one man, Ellicott, at the end.
	for i := 0; i < 10; i++ {
		recs = append(recs, Record{GivenName: "Charles", FamilyName: "Ellicott", Address: "Whitwell"})
	}
	st, ps := tfStats(p, recs)
	m := newScorer(DefaultModel())
	wAddr := func(i, j int) float64 {
		_, _, ws, _ := m.score(&ps[i], &ps[j], st, len(ps))
		return ws[FieldAddress]
	}
	common, rare := wAddr(0, 1), wAddr(len(ps)-1, len(ps)-2)
	if !(common < rare-2) {
		t.Errorf("address weight: London (600 records) %.1f, Whitwell (10) %.1f; want the common town to weigh clearly less", common, rare)
	}
	family := func(perRecord float64) float64 {
		mod := DefaultModel()
		mod.MatchesPerRecord = perRecord
		_, _, ws, _ := newScorer(mod).score(&ps[len(ps)-1], &ps[len(ps)-2], st, len(ps))
		return ws[FieldFamilyName]
	}
	alone, dup := family(0.001), family(9)
	if !(dup > alone+1) {
		t.Errorf("family name Ellicott (10 records): %.1f expecting no duplicates, %.1f expecting 9 per record; want the second clearly higher", alone, dup)
	}
}

// Two records of one person whose names were rewritten and whose date is
// missing still meet when they share a name and the whole address; the
// same family name elsewhere does not bring them together.
func TestBlockingNameAndPlace(t *testing.T) {
	p := newPreparer(nil)
	a := p.prepare(&Record{GivenName: "Thomas", FamilyName: "Chudleigh", Address: "West Devon"})
	b := p.prepare(&Record{GivenName: "Rhomas", FamilyName: "Chudleigh", Address: "West Devon"})
	c := p.prepare(&Record{GivenName: "Clifford", FamilyName: "Chudleigh", Address: "Plymouth"})
	if !sharesBlock(&a, &b) {
		t.Error("same family name and address: no shared block")
	}
	if sharesBlock(&a, &c) {
		t.Error("same family name, another address and given name: shared a block")
	}
}

// English titles and ordinals are set apart like honorifics; a name that
// only looks like one is kept, and a title alone is no name.
func TestTitles(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sir Thomas", "thomas"},
		{"Thomas, 1st Baron", "thomas baron"},
		{"Rt. Hon. William", "william"},
		{"2nd Bt.", ""},
		{"Sir", ""},
		{"General", ""},
		{"Majid", "majid"},
		{"Ordinary 21", "ordinary 21"},
		{"Mohammad", "mohammad"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in, nil).Text(); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Two records whose names were both rewritten meet on the whole address and
// the birth year; another year at the same address does not bring them.
func TestBlockingPlaceAndYear(t *testing.T) {
	p := newPreparer(nil)
	a := p.prepare(&Record{GivenName: "John", FamilyName: "Bastide", DOB: "1700-01-01", Address: "Merthyr Tydfil"})
	b := p.prepare(&Record{GivenName: "Jack", FamilyName: "Henry", DOB: "1700", Address: "Merthyr Tydfil"})
	c := p.prepare(&Record{GivenName: "Jack", FamilyName: "Henry", DOB: "1702", Address: "Merthyr Tydfil"})
	if !sharesBlock(&a, &b) {
		t.Error("same address and birth year: no shared block")
	}
	if sharesBlock(&a, &c) {
		t.Error("same address, another year and other names: shared a block")
	}
}

// A UK postcode within the same sector is close; codes of digits have no
// sector and stay different.
func TestComparePostcode(t *testing.T) {
	p := newPreparer(nil)
	tests := []struct {
		a, b string
		want Kind
	}{
		{"TQ13 8DF", "tq13 8df", Exact},
		{"TQ13 8DF", "TQ13 8JR", Close},
		{"TQ13 8DF", "TQ13 8DG", Close},
		{"TQ13 8DF", "EX6 7QQ", Different},
		{"TQ13 8DF", "TQ13 9JR", Different},
		{"1207", "1230", Different},
		{"1207", "1208", Close},
	}
	for _, tt := range tests {
		a, b := p.prepare(&Record{Postcode: tt.a}), p.prepare(&Record{Postcode: tt.b})
		v := compare(&a, &b, nil)
		if got := levels[FieldPostcode][v[FieldPostcode]]; got != tt.want {
			t.Errorf("postcodes %q, %q: %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}
