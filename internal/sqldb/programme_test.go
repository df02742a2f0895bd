package sqldb_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/programme"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// returneeAt registers a woman with the NGO living in area (a p-code).
func (w *refWorld) returneeAt(t *testing.T, nid, area string) *registry.Record {
	t.Helper()
	js := fmt.Sprintf(`{"person":{"given_name":"Rahima","family_name":"Khatun","sex":"female","date_of_birth":"1992",
		"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}], "address":{"admin_area":%q}},
		"episodes":[{"destination_country":"SA","return":{"date":%q,"return_type":"deported"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, nid, area, homewardtest.Today(w.DB, -10))
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return rec
}

// Programmes are the organisation's own: its administrators create and
// deactivate them, its case workers enrol its open cases in its active
// ones; codes are unique per organisation; everything is audited and an
// enrolment is on the case's timeline.
func TestProgrammesAndEnrolment(t *testing.T) {
	w := newRefWorld(t)
	admin, cw, sup := w.as("ngo", homeward.RoleAdministrator), w.as("ngo", homeward.RoleCaseWorker), w.as("ngo", homeward.RoleSupervisor)
	raise := &programme.Programme{Code: " raise ", NameEn: "Recovery and Advancement of Informal Sector Employment", NameBn: "অনানুষ্ঠানিক খাতে কর্মসংস্থানের পুনরুদ্ধার ও অগ্রগতি",
		Donor: "World Bank", Start: "2024-01", End: "2027-12", Districts: []string{"BD3026"}}
	p, err := w.DB.CreateProgramme(admin, raise)
	if err != nil {
		t.Fatal(err)
	}
	if p.Code != "RAISE" || !p.Active || p.OrgID != w.NGO.ID {
		t.Errorf("created: %+v", p)
	}
	// wrong role, duplicate code, bad input
	if _, err := w.DB.CreateProgramme(cw, &programme.Programme{Code: "X1", NameEn: "x"}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker creates a programme: %v", err)
	}
	if _, err := w.DB.CreateProgramme(sup, &programme.Programme{Code: "X1", NameEn: "x"}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("supervisor creates a programme: %v", err)
	}
	if _, err := w.DB.CreateProgramme(admin, &programme.Programme{Code: "RAISE", NameEn: "again"}); homewardtest.Code(err) != homeward.EINVALID || !hasField(err, "code") {
		t.Errorf("duplicate code: %v", err)
	}
	if _, err := w.DB.CreateProgramme(admin, &programme.Programme{Code: "A|B", NameEn: "", Start: "2025-05", End: "2025-01", Districts: []string{"BD302602"}}); homewardtest.Code(err) != homeward.EINVALID ||
		!hasField(err, "code") || !hasField(err, "name_en") || !hasField(err, "end") || !hasField(err, "districts") {
		t.Errorf("bad programme: %v", err)
	}
	// Another organisation may use the same code for its own programme.
	theirs, err := w.DB.CreateProgramme(w.as("provider", homeward.RoleAdministrator), &programme.Programme{Code: "RAISE", NameEn: "RAISE at the provider"})
	if err != nil {
		t.Fatalf("the same code at another organisation: %v", err)
	}

	rec := w.returnee(t, "1234567890")
	if _, err := w.DB.Enrol(admin, rec.Case.ID, p.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("administrator enrols: %v", err)
	}
	if _, err := w.DB.Enrol(cw, rec.Case.ID, theirs.ID); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("enrolled in another organisation's programme: %v", err)
	}
	if _, err := w.DB.Enrol(w.as("provider", homeward.RoleCaseWorker), rec.Case.ID, theirs.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation enrols our case: %v", err)
	}
	en, err := w.DB.Enrol(cw, rec.Case.ID, p.ID)
	if err != nil || en.Code != "RAISE" {
		t.Fatalf("enrol: %+v %v", en, err)
	}
	if _, err := w.DB.Enrol(cw, rec.Case.ID, p.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("enrolled twice: %v", err)
	}
	list, err := w.DB.Enrolments(cw, rec.Case.ID)
	if err != nil || len(list) != 1 || list[0].ProgrammeID != p.ID {
		t.Errorf("enrolments: %+v %v", list, err)
	}
	if _, err := w.DB.Enrolments(w.as("provider", homeward.RoleCaseWorker), rec.Case.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation reads the enrolments: %v", err)
	}
	tl, err := w.DB.Timeline(cw, rec.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range tl {
		found = found || ev.Kind == "programme_enrolled" && ev.Summary.Args["code"] == "RAISE"
	}
	if !found {
		t.Errorf("no enrolment on the timeline: %+v", tl)
	}
	audited := 0
	for _, e := range chainEvents(t, w.DB, w.NGO.ID) {
		if e.Action == "programme.created" || e.Action == "programme.enrolled" && e.RecordID == rec.Case.ID {
			audited++
		}
	}
	if audited != 2 {
		t.Errorf("audit events: %d", audited)
	}

	// Lists: one's own organisation's; the operator's analyst sees all.
	mine, err := w.DB.Programmes(w.as("ngo", homeward.RoleMEAnalyst), programme.Filter{Counts: true})
	if err != nil || len(mine) != 1 || mine[0].Enrolled != 1 || mine[0].Districts[0] != "BD3026" {
		t.Errorf("the NGO's programmes: %+v %v", mine, err)
	}
	if all, err := w.DB.Programmes(w.as("operator", homeward.RoleMEAnalyst), programme.Filter{}); err != nil || len(all) != 2 {
		t.Errorf("the operator's view: %+v %v", all, err)
	}
	if _, err := w.DB.Programmes(w.as("ngo", homeward.RoleMEAnalyst), programme.Filter{OrgID: theirs.OrgID}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's programmes: %v", err)
	}
	if _, err := w.DB.Programmes(w.as("ngo", homeward.RoleAuditor), programme.Filter{}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("auditor lists programmes: %v", err)
	}

	// A closed case is not enrolled (reopen it first); nor is any case
	// in a deactivated programme, which only its organisation's
	// administrators deactivate.
	skill, err := w.DB.CreateProgramme(admin, &programme.Programme{Code: "SKILL", NameEn: "Skills for returnees"})
	if err != nil {
		t.Fatal(err)
	}
	closed := registry.StatusClosed
	c, v, err := w.DB.UpdateCase(sup, rec.Case.ID, 1, registry.CaseUpdate{Status: &closed, ClosureReason: registry.CloseOptedOut})
	if err != nil || c.Status != registry.StatusClosed {
		t.Fatalf("close: %v %v", c, err)
	}
	_ = v
	if _, err := w.DB.Enrol(cw, rec.Case.ID, skill.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("closed case enrolled: %v", err)
	}
	if err := w.DB.SetProgrammeActive(w.as("provider", homeward.RoleAdministrator), skill.ID, false); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation deactivates: %v", err)
	}
	if err := w.DB.SetProgrammeActive(cw, skill.ID, false); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker deactivates: %v", err)
	}
	if err := w.DB.SetProgrammeActive(admin, skill.ID, false); err != nil {
		t.Fatal(err)
	}
	other := w.returnee(t, "2234567890")
	if _, err := w.DB.Enrol(cw, other.Case.ID, skill.ID); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("enrolled in an inactive programme: %v", err)
	}
}

func hasField(err error, field string) bool {
	var e *homeward.Error
	if !errors.As(err, &e) {
		return false
	}
	if e.Field == field {
		return true
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Indicators by programme and upazila match values counted by hand:
// seven women registered this month, six in the upazila BD302602 and one
// in BD302604 (both of Dhaka district); five of the first and the one of
// the second in RAISE, two of the first also in SKILL, one in none. One
// of RAISE's has a plan within 30 days of return.
func TestIndicatorsByProgrammeAndUpazilaByHand(t *testing.T) {
	w := newRefWorld(t)
	w.offer(t, "skills_training", 5)
	admin, cw := w.as("ngo", homeward.RoleAdministrator), w.as("ngo", homeward.RoleCaseWorker)
	raise, err := w.DB.CreateProgramme(admin, &programme.Programme{Code: "RAISE", NameEn: "RAISE"})
	if err != nil {
		t.Fatal(err)
	}
	skill, err := w.DB.CreateProgramme(admin, &programme.Programme{Code: "SKILL", NameEn: "Skills"})
	if err != nil {
		t.Fatal(err)
	}
	// The provider runs a RAISE of its own, with no cases.
	if _, err := w.DB.CreateProgramme(w.as("provider", homeward.RoleAdministrator), &programme.Programme{Code: "RAISE", NameEn: "RAISE"}); err != nil {
		t.Fatal(err)
	}
	var cases []string
	for i := range 7 {
		area := "BD302602"
		if i == 6 {
			area = "BD302604"
		}
		cases = append(cases, w.returneeAt(t, fmt.Sprintf("%d234567890", i+1), area).Case.ID)
	}
	enrol := func(i int, p *programme.Programme) {
		t.Helper()
		if _, err := w.DB.Enrol(cw, cases[i], p.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []int{0, 1, 2, 3, 4, 6} {
		enrol(i, raise)
	}
	enrol(0, skill)
	enrol(1, skill)
	if _, err := w.DB.CreatePlan(cw, cases[0], referral.PlanInput{Goals: []referral.Goal{{Text: "Open a tea stall"}}, Services: []referral.PlannedService{{ServiceType: "skills_training"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	defs := map[string]*indicator.Definition{}
	for _, d := range indicator.Standard() {
		defs[d.Code] = d
	}
	me := w.as("ngo", homeward.RoleMEAnalyst)
	month := indicator.Month(w.DB.Now().In(homewardtest.Zone).Format("2006-01"))
	returned := indicator.Month(homewardtest.Today(w.DB, -10)[:7])
	read := func(code string, q indicator.Query) *indicator.Series {
		t.Helper()
		q.From, q.To = min(month, returned), month
		s, err := w.DB.IndicatorSeries(me, defs[code], q)
		if err != nil {
			t.Fatalf("%s %+v: %v", code, q, err)
		}
		return s
	}
	// rows gives each row's by-values (joined by "/") → value, "-" when
	// suppressed, for the month.
	rows := func(s *indicator.Series, period indicator.Month) map[string]string {
		out := map[string]string{}
		for _, r := range s.Rows {
			if r.Period != string(period) {
				continue
			}
			k := ""
			for _, f := range s.By {
				k += "/" + r.By[f]
			}
			if r.Suppressed {
				out[k] = "-"
			} else {
				out[k] = fmt.Sprintf("%.2f", *r.Value)
			}
		}
		return out
	}
	check := func(name string, got map[string]string, want map[string]string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// A case in two programmes counts in each programme's row, and once
	// in the total: 6 + 2 + 1 rows, 7 registrations.
	check("registrations", rows(read("registrations", indicator.Query{}), month), map[string]string{"": "7.00"})
	check("by programme", rows(read("registrations", indicator.Query{By: []string{"programme"}}), month),
		map[string]string{"/RAISE": "6.00", "/SKILL": "-", "/": "-"})
	check("RAISE", rows(read("registrations", indicator.Query{Programme: "RAISE"}), month), map[string]string{"": "6.00"})
	check("RAISE by sex", rows(read("registrations", indicator.Query{Programme: "RAISE", By: []string{"sex"}}), month), map[string]string{"/female": "6.00"})
	// By upazila: the one woman of BD302604 is too few to show.
	bu := read("registrations", indicator.Query{By: []string{"upazila"}})
	check("by upazila", rows(bu, month), map[string]string{"/BD302602": "6.00", "/BD302604": "-"})
	if bu.Suppressed != 1 {
		t.Errorf("suppressed upazila cells: %d", bu.Suppressed)
	}
	check("Dhaka by upazila", rows(read("registrations", indicator.Query{District: "BD3026", By: []string{"upazila"}}), month),
		map[string]string{"/BD302602": "6.00", "/BD302604": "-"})
	check("upazila BD302602", rows(read("registrations", indicator.Query{Upazila: "BD302602"}), month), map[string]string{"": "6.00"})
	check("upazila BD302604", rows(read("registrations", indicator.Query{Upazila: "BD302604"}), month), map[string]string{"": "-"})
	check("RAISE in BD302602", rows(read("registrations", indicator.Query{Upazila: "BD302602", Programme: "RAISE"}), month), map[string]string{"": "5.00"})
	// plan within 30 days of return: 1 of RAISE's 6 = 16.67 %.
	check("plan within 30 days, RAISE", rows(read("plan_within_30_days", indicator.Query{Programme: "RAISE"}), returned), map[string]string{"": "16.67"})
	check("plan within 30 days by programme", rows(read("plan_within_30_days", indicator.Query{By: []string{"programme"}}), returned),
		map[string]string{"/RAISE": "16.67", "/SKILL": "-", "/": "-"})
	// An upazila, a programme and a breakdown are three fields: refused.
	if _, err := w.DB.IndicatorSeries(me, defs["registrations"], indicator.Query{From: month, To: month, Upazila: "BD302602", Programme: "RAISE", By: []string{"sex"}}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("three fields: %v", err)
	}
	// The operator's analyst adds up every organisation's RAISE (the
	// provider's has no cases); the provider's analyst sees none of ours.
	ops, err := w.DB.IndicatorSeries(w.as("operator", homeward.RoleMEAnalyst), defs["registrations"], indicator.Query{From: month, To: month, Programme: "RAISE"})
	if err != nil || len(ops.Rows) != 1 || *ops.Rows[0].Value != 6 {
		t.Errorf("the operator's RAISE: %+v %v", ops, err)
	}
	if s, err := w.DB.IndicatorSeries(w.as("provider", homeward.RoleMEAnalyst), defs["registrations"], indicator.Query{From: month, To: month, Programme: "RAISE"}); err != nil || len(s.Rows) != 0 {
		t.Errorf("the provider's view of RAISE: %+v %v", s, err)
	}

	// The dashboard reads aggregates only: with the records out of reach,
	// every page it asks for (and its programme filter) still answers.
	raw := sqldb.RawDB(t, w.DB)
	for _, table := range []string{"case_programmes", "referrals", "plans", "assessments", "service_deliveries", "credentials", "cases", "people"} {
		if _, err := raw.Exec(`ALTER TABLE ` + table + ` RENAME TO hidden_` + table); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []indicator.Query{{By: []string{"upazila"}}, {By: []string{"programme"}}, {District: "BD3026", By: []string{"upazila"}},
		{Upazila: "BD302602", By: []string{"sex"}}, {Programme: "RAISE", By: []string{"age_group"}}, {Programme: "RAISE", Upazila: "BD302602"}} {
		var reqs []indicator.Request
		for _, d := range indicator.Standard() {
			q := q
			q.From, q.To = returned, month
			reqs = append(reqs, indicator.Request{Def: d, Query: q})
		}
		if _, err := w.DB.IndicatorPage(me, reqs); err != nil {
			t.Errorf("dashboard %+v without the records: %v", q, err)
		}
	}
	if _, err := w.DB.Programmes(me, programme.Filter{}); err != nil {
		t.Errorf("programme filter without the records: %v", err)
	}
}
