package sqldb_test

import (
	"slices"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/registry"
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
