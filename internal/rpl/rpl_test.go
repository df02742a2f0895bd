package rpl_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/rpl"
)

var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func TestStarterCatalogue(t *testing.T) {
	c := rpl.Starter()
	if len(c.Standards) < 5 {
		t.Fatalf("%d standards", len(c.Standards))
	}
	for _, code := range []string{"HW-MASON-2", "HW-WELD-2", "HW-DRIVE-2", "HW-CARE-2"} {
		if c.Standard(code) == nil {
			t.Errorf("no %s", code)
		}
	}
	if c.Standard("nope") != nil {
		t.Error("unknown standard found")
	}
}

func TestReadCatalogueRefuses(t *testing.T) {
	good := `{"version":"1","source":"s","standards":[{"code":"A","occupation":"7112","level":2,"name":{"en":"A","bn":"ক"},"criteria":{"en":"c","bn":"গ"},"units":[{"code":"U1","name":{"en":"u","bn":"উ"}}]}]}`
	if _, err := rpl.ReadCatalogue(strings.NewReader(good)); err != nil {
		t.Fatalf("good catalogue: %v", err)
	}
	for name, bad := range map[string]string{
		"unknown field":   strings.Replace(good, `"level":2`, `"level":2,"colour":"red"`, 1),
		"not ISCO":        strings.Replace(good, `"7112"`, `"9999"`, 1),
		"ISCO not a unit": strings.Replace(good, `"7112"`, `"71"`, 1),
		"level 7":         strings.Replace(good, `"level":2`, `"level":7`, 1),
		"no Bangla name":  strings.Replace(good, `"bn":"ক"`, `"bn":""`, 1),
		"repeated unit":   strings.Replace(good, `}]}]}`, `},{"code":"U1","name":{"en":"u","bn":"উ"}}]}]}`, 1),
		"no units":        strings.Replace(good, `[{"code":"U1","name":{"en":"u","bn":"উ"}}]`, `[]`, 1),
		"too big":         good + strings.Repeat(" ", rpl.MaxCatalogue),
	} {
		if _, err := rpl.ReadCatalogue(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func results(std *rpl.Standard, nyc ...string) []rpl.UnitResult {
	var out []rpl.UnitResult
	for i := len(std.Units) - 1; i >= 0; i-- { // any order
		r := rpl.UnitResult{Unit: std.Units[i].Code, Result: rpl.Competent, Note: "observed"}
		for _, u := range nyc {
			if u == r.Unit {
				r.Result = rpl.NotYetCompetent
			}
		}
		out = append(out, r)
	}
	return out
}

func key(err error) string {
	var he *homeward.Error
	if errors.As(err, &he) {
		return he.Key
	}
	return ""
}

func TestRecordSignOffCertify(t *testing.T) {
	std := rpl.Starter().Standard("HW-MASON-2")
	a := &rpl.Assessment{Standard: std.Code, Status: rpl.StatusApplied}
	if err := a.Certifiable(); key(err) != "rpl.not_certifiable" {
		t.Errorf("certifiable before assessing: %v", err)
	}
	if err := a.SignOff("sup", now); key(err) != "rpl.not_assessed" {
		t.Errorf("sign off before results: %v", err)
	}
	if err := a.Record(std, "assessor", false, results(std), now); key(err) != "rpl.assessor.not_registered" {
		t.Errorf("unregistered assessor: %v", err)
	}
	short := results(std)[1:]
	if err := a.Record(std, "assessor", true, short, now); key(err) != "rpl.results.every_unit" {
		t.Errorf("a unit missing: %v", err)
	}
	twice := append(results(std)[1:], results(std)[1])
	if err := a.Record(std, "assessor", true, twice, now); key(err) != "rpl.results.every_unit" {
		t.Errorf("a unit twice: %v", err)
	}
	odd := results(std)
	odd[0].Result = "maybe"
	if err := a.Record(std, "assessor", true, odd, now); key(err) != "rpl.results.value" {
		t.Errorf("odd result: %v", err)
	}
	long := results(std)
	long[0].Note = strings.Repeat("ক", rpl.MaxEvidenceNote+1)
	if err := a.Record(std, "assessor", true, long, now); key(err) != "rpl.note.too_long" {
		t.Errorf("long note: %v", err)
	}
	if a.Status != rpl.StatusApplied || a.Results != nil {
		t.Fatalf("a refused record changed the assessment: %+v", a)
	}
	// Not yet competent in one unit: gap training, not certifiable even
	// when signed off.
	if err := a.Record(std, "assessor", true, results(std, "MAS-04"), now); err != nil {
		t.Fatal(err)
	}
	if a.Decision != rpl.DecisionGapTraining || strings.Join(a.Gaps(), ",") != "MAS-04" || a.Results[0].Unit != std.Units[0].Code {
		t.Errorf("gap: %+v", a)
	}
	// Competent in all: certify, after a second person signs off.
	if err := a.Record(std, "assessor", true, results(std), now); err != nil {
		t.Fatal(err)
	}
	if a.Decision != rpl.DecisionCertify || a.Status != rpl.StatusAssessed {
		t.Errorf("all competent: %+v", a)
	}
	if err := a.Certifiable(); err == nil {
		t.Error("certifiable without a sign-off")
	}
	if err := a.SignOff("assessor", now); key(err) != "rpl.signoff.same_person" {
		t.Errorf("assessor signs off: %v", err)
	}
	if err := a.SignOff("sup", now); err != nil {
		t.Fatal(err)
	}
	if err := a.Certifiable(); err != nil {
		t.Errorf("signed off and competent: %v", err)
	}
	if err := a.SignOff("sup2", now); key(err) != "rpl.signed_off" {
		t.Errorf("signed off twice: %v", err)
	}
	if err := a.Record(std, "assessor", true, results(std, "MAS-01"), now); key(err) != "rpl.signed_off" {
		t.Errorf("results changed after sign-off: %v", err)
	}
}

func TestCheckApplication(t *testing.T) {
	std := rpl.Starter().Standard("HW-WELD-2")
	if err := rpl.CheckApplication(nil, nil); key(err) != "rpl.standard.unknown" {
		t.Errorf("no standard: %v", err)
	}
	if err := rpl.CheckApplication(std, []rpl.Evidence{{Kind: "employer_letter", Note: "Al Habib Steel, Dammam, 2019–2024"}}); err != nil {
		t.Errorf("good evidence: %v", err)
	}
	if err := rpl.CheckApplication(std, []rpl.Evidence{{Kind: "selfie"}}); key(err) != "rpl.evidence.kind" {
		t.Errorf("odd kind: %v", err)
	}
	if err := rpl.CheckApplication(std, make([]rpl.Evidence, rpl.MaxEvidenceItems+1)); key(err) != "rpl.evidence.too_many" {
		t.Errorf("too many: %v", err)
	}
}

func TestSchedule(t *testing.T) {
	today := time.Date(2026, 11, 20, 23, 30, 0, 0, time.FixedZone("Dhaka", 6*3600))
	a := &rpl.Assessment{Status: rpl.StatusApplied}
	for _, tc := range []struct{ day, centre, key string }{
		{"20-11-2026", "", "rpl.schedule.day"},
		{"2026-11-19", "", "rpl.schedule.past"},
		{"2026-11-25", strings.Repeat("ক", rpl.MaxCentre+1), "rpl.centre.too_long"},
	} {
		if err := a.Schedule(tc.day, tc.centre, today); key(err) != tc.key {
			t.Errorf("%q %d: %v, want %s", tc.day, len(tc.centre), err, tc.key)
		}
	}
	if a.Scheduled != "" {
		t.Fatal("a refused schedule was kept")
	}
	if err := a.Schedule("2026-11-20", " Dhaka TTC ", today); err != nil || a.Scheduled != "2026-11-20" || a.Centre != "Dhaka TTC" {
		t.Errorf("today at Dhaka TTC: %v %+v", err, a)
	}
	a.Status = rpl.StatusAssessed
	if err := a.Schedule("2026-11-26", "", today); key(err) != "rpl.schedule.assessed" {
		t.Errorf("after the results: %v", err)
	}
}

// The starter catalogue names every standard, its criteria and its units
// in every language the interface offers (Arabic, Sorani and Urdu marked
// machine-made).
func TestStarterInEveryLanguage(t *testing.T) {
	c := rpl.Starter()
	for _, s := range c.Standards {
		for _, l := range []string{"en", "bn", "ar", "ckb", "ur"} {
			if s.Name[l] == "" || s.Criteria[l] == "" {
				t.Errorf("%s: no name or criteria in %s", s.Code, l)
			}
			for _, u := range s.Units {
				if u.Name[l] == "" {
					t.Errorf("%s %s: no name in %s", s.Code, u.Code, l)
				}
			}
		}
	}
	if strings.Join(c.MachineMade, " ") != "ar ckb ur" {
		t.Errorf("machine-made %v", c.MachineMade)
	}
}
