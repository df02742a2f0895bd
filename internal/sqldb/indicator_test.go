package sqldb_test

import (
	"context"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/referral"
)

// The standard indicators match values counted by hand on a small world:
// three returnees, one with a plan, two referrals of which one accepted.
func TestStandardIndicatorsByHand(t *testing.T) {
	w := newRefWorld(t)
	w.offer(t, "skills_training", 5)
	recs := []string{"1234567890", "2234567890", "3234567890"}
	var ids []string
	for _, nid := range recs {
		rec := w.returnee(t, nid, w.Provider.ID)
		ids = append(ids, rec.Case.ID)
	}
	cw := w.as("ngo", homeward.RoleCaseWorker)
	if _, err := w.DB.CreatePlan(cw, ids[0], referral.PlanInput{Goals: []referral.Goal{{Text: "Open a tea stall"}}, Services: []referral.PlannedService{{ServiceType: "skills_training"}}}); err != nil {
		t.Fatal(err)
	}
	r1, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: ids[1], ToOrgID: w.Provider.ID, ServiceType: "skills_training"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: ids[2], ToOrgID: w.Provider.ID, ServiceType: "skills_training"})
	if err != nil {
		t.Fatal(err)
	}
	// The provider accepts one two days later (and a few hours) and
	// declines the other after five: the median response is 3.5 days.
	clock := w.DB.Now
	staff := w.as("provider", homeward.RoleProviderStaff)
	w.DB.Now = func() time.Time { return clock().Add(2*24*time.Hour + 5*time.Hour) }
	w.move(t, staff, r1, referral.StateAccepted, "")
	w.DB.Now = func() time.Time { return clock().Add(5*24*time.Hour + time.Hour) }
	w.move(t, staff, r2, referral.StateDeclined, referral.DeclineNoCapacity)
	w.DB.Now = clock

	defs := map[string]*indicator.Definition{}
	for _, d := range indicator.Standard() {
		defs[d.Code] = d
	}
	me := w.as("ngo", homeward.RoleMEAnalyst)
	month := indicator.Month(w.DB.Now().In(homewardtest.Zone).Format("2006-01"))
	returned := indicator.Month(homewardtest.Today(w.DB, -10)[:7])
	series := func(ctx context.Context, code string, by ...string) *indicator.Series {
		t.Helper()
		from := min(month, returned)
		s, err := w.DB.IndicatorSeries(ctx, defs[code], indicator.Query{From: from, To: month, By: by})
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		return s
	}
	// Before any rebuild: no figures, and no computed-at time.
	if s := series(me, "registrations"); s.ComputedAt != nil || len(s.Rows) != 0 {
		t.Fatalf("before a rebuild: %+v", s)
	}
	// Only the operator's watchers rebuild; the system does it on schedule.
	if _, err := w.DB.RebuildIndicators(me, indicator.Standard()); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("NGO analyst rebuilds: %v", err)
	}
	rep, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indicators != len(defs) || rep.Records < 5 {
		t.Errorf("rebuild: %+v", rep)
	}
	value := func(s *indicator.Series, period indicator.Month) (float64, float64, float64) {
		t.Helper()
		for _, r := range s.Rows {
			if r.Period == string(period) && r.By == nil {
				if r.Value == nil {
					return *r.Numerator, *r.Denominator, -1
				}
				return *r.Numerator, *r.Denominator, *r.Value
			}
		}
		t.Fatalf("%s: no row for %s in %+v", s.Code, period, s.Rows)
		return 0, 0, 0
	}
	if n, _, v := value(series(me, "registrations"), month); n != 3 || v != 3 {
		t.Errorf("registrations = %v", v)
	}
	if n, d, v := value(series(me, "plan_within_30_days"), returned); n != 1 || d != 3 || v < 33.33 || v > 33.34 {
		t.Errorf("plan within 30 days = %v of %v = %v", n, d, v)
	}
	if n, _, _ := value(series(me, "referrals_sent"), month); n != 2 {
		t.Errorf("referrals sent = %v", n)
	}
	if n, d, v := value(series(me, "referrals_accepted"), month); n != 1 || d != 2 || v != 50 {
		t.Errorf("referrals accepted = %v of %v = %v", n, d, v)
	}
	if rs := series(me, "referral_days_to_response"); len(rs.Rows) != 1 || *rs.Rows[0].Denominator != 2 || rs.Rows[0].Numerator != nil || *rs.Rows[0].Value != 3.5 {
		t.Errorf("median days to a response: %+v", rs.Rows)
	}
	s := series(me, "registrations")
	if s.ComputedAt == nil {
		t.Error("no computed-at time")
	}
	// Broken down by sex, three women are too few to show.
	bs := series(me, "registrations", "sex")
	if len(bs.Rows) != 1 || !bs.Rows[0].Suppressed || bs.Rows[0].Value != nil || bs.Suppressed != 1 || bs.Rows[0].By["sex"] != "female" {
		t.Errorf("by sex: %+v", bs)
	}
	// The operator's analyst sees every organisation; the provider's its
	// own (none of these cases); a case worker sees no indicators.
	if n, _, _ := value(series(w.as("operator", homeward.RoleMEAnalyst), "registrations"), month); n != 3 {
		t.Errorf("operator's view = %v", n)
	}
	if s := series(w.as("provider", homeward.RoleMEAnalyst), "registrations"); len(s.Rows) != 0 {
		t.Errorf("provider's view: %+v", s.Rows)
	}
	if _, err := w.DB.IndicatorSeries(cw, defs["registrations"], indicator.Query{From: month, To: month}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker reads indicators: %v", err)
	}
	if _, err := w.DB.IndicatorSeries(me, defs["registrations"], indicator.Query{From: month, To: month, OrgID: w.Operator.ID}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("NGO analyst reads the operator's figures: %v", err)
	}
	// Figures are precomputed: two more registrations count after the next
	// rebuild, and five women may then be shown.
	w.returnee(t, "4234567890")
	w.returnee(t, "5234567890")
	if n, _, _ := value(series(me, "registrations"), month); n != 3 {
		t.Errorf("before the rebuild: %v", n)
	}
	if _, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := value(series(me, "registrations"), month); n != 5 {
		t.Errorf("after the rebuild: %v", n)
	}
	if bs := series(me, "registrations", "sex"); len(bs.Rows) != 1 || bs.Rows[0].Suppressed || *bs.Rows[0].Value != 5 {
		t.Errorf("five women: %+v", bs.Rows)
	}
	// One district's figures: its five women, in total and by sex; another
	// district has none; a district and two breakdowns are too many.
	bd := series(me, "registrations", "district")
	if len(bd.Rows) != 1 {
		t.Fatalf("by district: %+v", bd.Rows)
	}
	district := bd.Rows[0].By["district"]
	inDistrict := func(code, d string, by ...string) (*indicator.Series, error) {
		return w.DB.IndicatorSeries(me, defs[code], indicator.Query{From: month, To: month, By: by, District: d})
	}
	if s, err := inDistrict("registrations", district); err != nil || len(s.Rows) != 1 || s.Rows[0].By != nil || *s.Rows[0].Value != 5 || s.District != district {
		t.Errorf("the district's registrations: %+v %v", s, err)
	}
	if s, err := inDistrict("registrations", district, "sex"); err != nil || len(s.Rows) != 1 || s.Rows[0].By["sex"] != "female" || s.Rows[0].By["district"] != "" || *s.Rows[0].Value != 5 {
		t.Errorf("the district's registrations by sex: %+v %v", s, err)
	}
	if s, err := inDistrict("registrations", "BD9999"); err != nil || len(s.Rows) != 0 {
		t.Errorf("another district: %+v %v", s, err)
	}
	if _, err := inDistrict("registrations", district, "age_group", "sex"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("a district and two breakdowns: %v", err)
	}
}
