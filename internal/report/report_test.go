package report

import (
	"strings"
	"testing"
	"time"

	"homeward/internal/indicator"
)

func TestMonths(t *testing.T) {
	for _, c := range []struct {
		from, to string
		n        int
		list     string
	}{
		{"2026-11", "2027-02", 4, "2026-11 2026-12 2027-01 2027-02"},
		{"2026-05", "2026-05", 1, "2026-05"},
		{"2026-05", "2026-04", 0, ""},
		{"May", "2026-04", 0, ""},
	} {
		if n := Months(indicator.Month(c.from), indicator.Month(c.to)); n != c.n && !(c.n == 0 && n <= 0) {
			t.Errorf("Months(%s, %s) = %d, want %d", c.from, c.to, n, c.n)
		}
		if l := strings.Join(monthsOf(indicator.Month(c.from), indicator.Month(c.to)), " "); l != c.list {
			t.Errorf("monthsOf(%s, %s) = %q, want %q", c.from, c.to, l, c.list)
		}
	}
	if n := len(monthsOf("2000-01", "2099-12")); n != MaxMonths {
		t.Errorf("a century lists %d months", n)
	}
}

func TestValueLabel(t *testing.T) {
	for _, c := range []struct{ lang, field, value, want string }{
		{"en", "sex", "female", "Female"},
		{"bn", "sex", "female", "নারী"},
		{"en", "age_group", "25-34", "25-34"},
		{"bn", "age_group", "25-34", "২৫-৩৪"},
		{"en", "district", "nowhere", "nowhere"},
		{"en", "sex", "", ""},
	} {
		if got := ValueLabel(c.lang, c.field, c.value); got != c.want {
			t.Errorf("ValueLabel(%s, %s, %q) = %q, want %q", c.lang, c.field, c.value, got, c.want)
		}
	}
}

// The printed report is an HTML page in the report's language and
// direction, with suppressed figures starred; Chromium prints it (where
// installed: .ci/run installs it).
func TestDocumentAndPDF(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	defs := []*indicator.Definition{
		{Code: "registrations", Unit: indicator.Count, Name: map[string]string{"en": "Returnees registered", "bn": "নিবন্ধিত প্রত্যাবর্তনকারী"}, By: []string{"sex"}},
		{Code: "women_served", Unit: indicator.Percent, Denominator: indicator.Filter{}, Name: map[string]string{"en": "Women served", "bn": "সেবা পাওয়া নারী"}},
	}
	d := &Data{Report: &Report{Lang: "bn", From: "2026-10", To: "2026-11"}, OrgName: "<Shapla>", Made: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Defs: defs,
		Totals: []*indicator.Series{
			{Rows: []indicator.Row{{Period: "2026-10", Value: f(12)}, {Period: "2026-11", Value: f(1234)}}},
			{Rows: []indicator.Row{{Period: "2026-11", Value: f(40.26)}}},
		},
		By: map[string][]*indicator.Series{
			"sex":       {{By: []string{"sex"}, Rows: []indicator.Row{{Period: "2026-11", By: map[string]string{"sex": "female"}, Value: f(9)}, {Period: "2026-11", By: map[string]string{"sex": "male"}, Suppressed: true}}}, {}},
			"age_group": {{}, {}},
		}}
	html, err := d.Document()
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, want := range []string{`lang="bn" dir="ltr"`, "নিবন্ধিত প্রত্যাবর্তনকারী", "১,২৩৪", "৪০.৩%", "&lt;Shapla&gt;", "নারী", `<td class="num">*</td>`, "২০২৬-১০"} {
		if !strings.Contains(page, want) {
			t.Errorf("the document lacks %q", want)
		}
	}
	chromium := FindChromium()
	if chromium == "" {
		t.Skip("no Chromium here to print with")
	}
	pdf, err := d.PDF(t.Context(), chromium)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("PDF: %.8q %v", pdf, err)
	}
}

// A report in Urdu or Arabic is laid out right to left, names its
// indicators in the language and prints in the script's font; its numbers
// take the language's digits.
func TestDocumentRightToLeft(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	defs := []*indicator.Definition{{Code: "registrations", Unit: indicator.Count,
		Name: map[string]string{"en": "Returnees registered", "bn": "নিবন্ধিত প্রত্যাবর্তনকারী", "ar": "العائدون المسجلون", "ur": "رجسٹرڈ واپس آنے والے"}}}
	for _, tc := range []struct{ lang, name, number string }{
		{"ur", "رجسٹرڈ واپس آنے والے", "۱,۲۳۴"},
		{"ar", "العائدون المسجلون", "١٬٢٣٤"},
	} {
		d := &Data{Report: &Report{Lang: tc.lang, From: "2026-11", To: "2026-11"}, OrgName: "Roshni", Made: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Defs: defs,
			Totals: []*indicator.Series{{Rows: []indicator.Row{{Period: "2026-11", Value: f(1234)}}}}, By: map[string][]*indicator.Series{}}
		html, err := d.Document()
		if err != nil {
			t.Fatal(err)
		}
		page := string(html)
		for _, want := range []string{`lang="` + tc.lang + `" dir="rtl"`, tc.name, tc.number, ":lang(ur) { font-family: \"Noto Nastaliq Urdu\""} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the document lacks %q", tc.lang, want)
			}
		}
	}
}
