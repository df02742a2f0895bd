package sqldb_test

import (
	"slices"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// Names in Arabic script (Arabic, Urdu, Sorani) are found by their Latin
// transliterations and the other way round, with or without the article,
// across hamza, alif maqsura, ta marbuta and Persian-Urdu letter variants
// (issue 21). Latin fields take Latin letters only, so the Arabic-script
// spellings are native names; a person's Latin and native names differ here
// so that every hit below crosses a script or a spelling.
func TestSearchArabicScriptNames(t *testing.T) {
	w := homewardtest.NewWorld(t)
	latin := registerIn(t, w, "ngo", "Muhammad", "Husayn", "", "", "", "")
	arabic := registerIn(t, w, "ngo", "Hamoudi", "Jasim", "مُحَمَّد الحُسَيْن", "", "١٢٣٤٥٦٧٨٩٠", "")
	urdu := registerIn(t, w, "ngo", "Zaynab", "Ali", "زینب علی", "", "", "")
	abd := registerIn(t, w, "ngo", "Abd Allah", "Khaled", "عبد الله خالد", "", "", "")
	fatima := registerIn(t, w, "ngo", "Fatin", "Saeed", "فاطمة إبراهيم", "", "", "")
	sorani := registerIn(t, w, "ngo", "Shorsh", "Aziz", "ڕێبوار کاوە", "", "", "")
	// The same names in the other organisation never show.
	registerIn(t, w, "operator", "Mohammed", "Hussein", "محمد حسين", "", "", "")

	hussein := []string{latin.Person.ID, arabic.Person.ID}
	tests := []struct {
		q    string
		want []string
	}{
		{"Hussein", hussein},
		{"Hussain", hussein},
		{"حسين", hussein},
		{"الحسين", hussein},
		{"al-Hussein", hussein},
		{"Mohammed Hussein", hussein},
		{"مُحَمَّد حُسَيْن", hussein},
		{"Zeinab", []string{urdu.Person.ID}},
		{"زينب علي", []string{urdu.Person.ID}},
		{"Ali Zainab", []string{urdu.Person.ID}},
		{"عبد الله", []string{abd.Person.ID}},
		{"عبدالله خالد", []string{abd.Person.ID}},
		{"Abdullah Khalid", []string{abd.Person.ID}},
		{"Abdallah", []string{abd.Person.ID}},
		{"Fatimah Ibrahim", []string{fatima.Person.ID}},
		{"فاطمه ابراهيم", []string{fatima.Person.ID}},
		{"Ebrahim", []string{fatima.Person.ID}},
		{"Rebwar Kawa", []string{sorani.Person.ID}},
		{"ريبوار كاوه", []string{sorani.Person.ID}},
		// A national ID typed in Arabic-Indic or Extended Arabic-Indic digits.
		{"1234567890", []string{arabic.Person.ID}},
		{"١٢٣٤٥٦٧٨٩٠", []string{arabic.Person.ID}},
		{"۱۲۳۴۵۶۷۸۹۰", []string{arabic.Person.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := searchPage(t, w, "ngo", registry.SearchFilter{Query: tc.q})
			got := personIDs(r.Items)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("found %v, want %v", got, want)
			}
		})
	}
}

// People stored before the Arabic-script rules keep their old keys until
// migration 35 adds the new ones; after it they are found by every
// spelling, and a Bangla name's keys are not touched.
func TestSearchArabicScriptRebuildsOldKeys(t *testing.T) {
	w := homewardtest.NewWorld(t)
	latin := registerIn(t, w, "ngo", "Muhammad", "Husayn", "", "", "", "")
	arabic := registerIn(t, w, "ngo", "Hamoudi", "Jasim", "مُحَمَّد الحُسَيْن", "", "", "")
	abd := registerIn(t, w, "ngo", "Saad", "Kareem", "عبد الله", "", "", "")
	bangla := registerIn(t, w, "ngo", "Rafiqul", "Islam", "রফিকুল ইসলাম", "", "", "")
	// The keys the rules before issue 21 made.
	old := map[string][]string{
		latin.Person.ID:  {"muhammad", "husayn"},
		arabic.Person.ID: {"hamoudi", "jasim", "الحسين"},
		abd.Person.ID:    {"saad", "karim", "عبد", "الله"},
	}
	for id, words := range old {
		if err := sqldb.SetOldNameKeys(w.DB, id, words); err != nil {
			t.Fatal(err)
		}
	}
	banglaBefore, err := sqldb.NameKeysOf(w.DB, bangla.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	find := func(q string) []string {
		got := personIDs(searchPage(t, w, "ngo", registry.SearchFilter{Query: q}).Items)
		slices.Sort(got)
		return got
	}
	// Before the rebuild the old Arabic key is not found by the Latin name
	// (Husayn is, by its sound key, as it always was).
	if got := find("Hussein"); slices.Contains(got, arabic.Person.ID) {
		t.Fatalf("before the rebuild الحسين is found by Hussein: %v", got)
	}
	if err := sqldb.RebuildNameKeys(w.DB); err != nil {
		t.Fatal(err)
	}
	hussein := []string{latin.Person.ID, arabic.Person.ID}
	slices.Sort(hussein)
	for q, want := range map[string][]string{
		"Hussein": hussein, "حسين": hussein, "الحسين": hussein, "Husayn": hussein,
		"عبدالله": {abd.Person.ID}, "Abdullah": {abd.Person.ID},
		"Rafiqul Islam": {bangla.Person.ID},
	} {
		if got := find(q); !slices.Equal(got, want) {
			t.Errorf("after the rebuild %q finds %v, want %v", q, got, want)
		}
	}
	if after, err := sqldb.NameKeysOf(w.DB, bangla.Person.ID); err != nil || !slices.Equal(after, banglaBefore) {
		t.Errorf("Bangla keys changed: %v → %v (%v)", banglaBefore, after, err)
	}
	// A second run adds nothing.
	before, _ := sqldb.NameKeysOf(w.DB, abd.Person.ID)
	if err := sqldb.RebuildNameKeys(w.DB); err != nil {
		t.Fatal(err)
	}
	if again, _ := sqldb.NameKeysOf(w.DB, abd.Person.ID); !slices.Equal(again, before) {
		t.Errorf("second rebuild changed keys: %v → %v", before, again)
	}
}

// Names the Latin table does not list are found across scripts by their
// sound key: the Arabic-script word read in Latin letters (match.SoundKey),
// so "كاروان جبار" finds Karwan Jabbar and the other way round; an
// unrelated name is not found.
func TestSearchArabicScriptSoundKeys(t *testing.T) {
	w := homewardtest.NewWorld(t)
	native := registerIn(t, w, "ngo", "Dilshad", "Aziz", "كاروان جبار", "", "", "")
	latin := registerIn(t, w, "ngo", "Karwan", "Jabbar", "", "", "", "")
	registerIn(t, w, "ngo", "Rebin", "Tofiq", "", "", "", "")
	registerIn(t, w, "operator", "Karwan", "Jabbar", "كاروان جبار", "", "", "")
	both := []string{native.Person.ID, latin.Person.ID}
	for q, want := range map[string][]string{
		"Karwan Jabbar": both, "كاروان جبار": both, "جبار": both, "Jabar": both, "کاروان": both,
		"Dilshad": {native.Person.ID}, "طارق": nil,
	} {
		r := searchPage(t, w, "ngo", registry.SearchFilter{Query: q})
		got := personIDs(r.Items)
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v", q, got, want)
		}
	}
}
