package registry

import (
	"testing"
	"time"
)

func validEpisode() MigrationEpisode {
	return MigrationEpisode{
		DestinationCountry: "SA", OccupationAbroad: "7112", Sector: SectorConstruction, Employer: "Al Noor Contracting",
		DepartureDate: DayDate(2019, 5, 1), EndDate: MonthDate(2025, 12), VisaType: VisaWorkContract,
		RecruitmentChannel: RecruitSubAgent, MigrationCost: &Money{450000, "BDT"}, DebtOutstanding: &Money{200000, "BDT"},
		Remittances: &Money{1200000, "BDT"},
		Return: &Return{Date: DayDate(2026, 1, 10), PointOfEntry: "BD-DAC", ReturnType: ReturnDeported, Reason: "Employer stopped paying",
			DocumentsOnArrival: []ArrivalDocument{ArrivalTravelPermit}, ReceptionServices: []ReceptionService{ServiceTransport}},
	}
}

func TestEpisodeValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *MigrationEpisode)
		want   []string
	}{
		{"valid", func(e *MigrationEpisode) {}, nil},
		{"country missing", func(e *MigrationEpisode) { e.DestinationCountry = "" }, []string{"destination_country=error.field.required"}},
		{"country unknown", func(e *MigrationEpisode) { e.DestinationCountry = "XX" }, []string{"destination_country=error.field.invalid_country"}},
		{"country alpha-3 not normalised", func(e *MigrationEpisode) { e.DestinationCountry = "SAU" }, []string{"destination_country=error.field.invalid_country"}},
		{"ISCO unknown", func(e *MigrationEpisode) { e.OccupationAbroad = "9999" }, []string{"occupation_abroad=error.field.invalid_isco"}},
		{"ISCO major group ok", func(e *MigrationEpisode) { e.OccupationAbroad = "7" }, nil},
		{"sector", func(e *MigrationEpisode) { e.Sector = "mining" }, []string{"sector=error.field.invalid_choice"}},
		{"visa", func(e *MigrationEpisode) { e.VisaType = "golden" }, []string{"visa_type=error.field.invalid_choice"}},
		{"channel", func(e *MigrationEpisode) { e.RecruitmentChannel = "internet" }, []string{"recruitment_channel=error.field.invalid_choice"}},
		{"negative cost", func(e *MigrationEpisode) { e.MigrationCost.Amount = -1 }, []string{"migration_cost.amount=registry.money.negative"}},
		{"bad currency", func(e *MigrationEpisode) { e.DebtOutstanding.Currency = "TAKA" }, []string{"debt_outstanding.currency=registry.money.currency"}},
		{"no currency", func(e *MigrationEpisode) { e.Remittances.Currency = "" }, []string{"remittances.currency=error.field.required"}},
		{"departure in the future", func(e *MigrationEpisode) { e.DepartureDate = YearDate(2027); e.Return = nil; e.EndDate = Date{} }, []string{"departure_date=registry.episode.departure_future"}},
		{"end in the future", func(e *MigrationEpisode) { e.EndDate = DayDate(2026, 6, 1); e.Return = nil }, []string{"end_date=registry.episode.end_future"}},
		{"end before departure", func(e *MigrationEpisode) { e.EndDate = YearDate(2018) }, []string{"end_date=registry.episode.end_before_departure"}},
		{"return before departure", func(e *MigrationEpisode) { e.Return.Date = DayDate(2019, 4, 30); e.EndDate = Date{} }, []string{"return.date=registry.return.before_departure"}},
		{"return on departure day ok", func(e *MigrationEpisode) { e.Return.Date = DayDate(2019, 5, 1); e.EndDate = Date{} }, nil},
		{"return in departure year ok (imprecise)", func(e *MigrationEpisode) { e.Return.Date = YearDate(2019); e.EndDate = Date{} }, nil},
		{"return before end", func(e *MigrationEpisode) { e.Return.Date = DayDate(2025, 11, 30) }, []string{"return.date=registry.return.before_end"}},
		{"return in the future", func(e *MigrationEpisode) { e.Return.Date = DayDate(2026, 4, 1) }, []string{"return.date=registry.return.date_future"}},
		{"return tomorrow", func(e *MigrationEpisode) { e.Return.Date = DayDate(2026, 3, 16) }, []string{"return.date=registry.return.date_future"}},
		{"return date missing", func(e *MigrationEpisode) { e.Return.Date = Date{} }, []string{"return.date=error.field.required"}},
		{"return too early", func(e *MigrationEpisode) { e.DepartureDate, e.EndDate, e.Return.Date = Date{}, Date{}, YearDate(1850) }, []string{"return.date=registry.date.too_early"}},
		{"unknown point of entry", func(e *MigrationEpisode) { e.Return.PointOfEntry = "BD-XYZ" }, []string{"return.point_of_entry=registry.return.point_of_entry"}},
		{"point of entry lower case", func(e *MigrationEpisode) { e.Return.PointOfEntry = "bd-dac" }, []string{"return.point_of_entry=registry.return.point_of_entry"}},
		{"return type unknown", func(e *MigrationEpisode) { e.Return.ReturnType = "escaped" }, []string{"return.return_type=error.field.invalid_choice"}},
		{"return type may be empty", func(e *MigrationEpisode) { e.Return.ReturnType = "" }, nil},
		{"arrival document", func(e *MigrationEpisode) { e.Return.DocumentsOnArrival = []ArrivalDocument{"visa"} }, []string{"return.documents_on_arrival[0]=error.field.invalid_choice"}},
		{"reception service", func(e *MigrationEpisode) { e.Return.ReceptionServices = []ReceptionService{"food"} }, []string{"return.reception_services[0]=error.field.invalid_choice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEpisode()
			tt.change(&e)
			wantProblems(t, e.Validate(now), tt.want...)
		})
	}
}

func TestEpisodeNormalize(t *testing.T) {
	e := MigrationEpisode{DestinationCountry: "sau", MigrationCost: &Money{1, " bdt"}, Return: &Return{PointOfEntry: "bd-dac"}}
	e.Normalize()
	if e.DestinationCountry != "SA" || e.MigrationCost.Currency != "BDT" || e.Return.PointOfEntry != "BD-DAC" {
		t.Errorf("Normalize: %+v", e)
	}
}

func TestValidateEpisodes(t *testing.T) {
	p := validPerson() // born 1985-03-12
	second := validEpisode()
	second.DestinationCountry = "MY"
	second.DepartureDate, second.EndDate = DayDate(2012, 1, 1), Date{}
	second.Return.Date = DayDate(2016, 6, 1)
	tests := []struct {
		name   string
		dob    Date
		change func(eps []MigrationEpisode)
		want   []string
	}{
		{"valid", p.DateOfBirth, func(eps []MigrationEpisode) {}, nil},
		{"departure before birth", YearDate(2000), func(eps []MigrationEpisode) {
			eps[1].DepartureDate = YearDate(1999)
			eps[1].Return.Date = YearDate(1999)
		}, []string{
			"episodes[1].departure_date=registry.episode.departure_before_birth", "episodes[1].return.date=registry.return.before_birth"}},
		{"departure in birth year ok", YearDate(2012), func(eps []MigrationEpisode) {}, nil},
		{"overlap", p.DateOfBirth, func(eps []MigrationEpisode) {
			eps[1].DepartureDate = DayDate(2018, 1, 1)
			eps[1].Return.Date = DayDate(2020, 1, 1)
		}, []string{
			"episodes[1].departure_date=registry.episode.overlap"}},
		{"nested error path", p.DateOfBirth, func(eps []MigrationEpisode) { eps[0].Return.Date = DayDate(2019, 1, 1); eps[0].EndDate = Date{} }, []string{
			"episodes[0].return.date=registry.return.before_departure"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps := []MigrationEpisode{validEpisode(), second}
			r := *second.Return
			eps[1].Return = &r
			tt.change(eps)
			q := p
			q.DateOfBirth = tt.dob
			wantProblems(t, ValidateEpisodes(&q, eps, now), tt.want...)
		})
	}
	if e := LatestReturn([]MigrationEpisode{second, validEpisode()}); e == nil || e.DestinationCountry != "SA" {
		t.Errorf("LatestReturn = %+v", e)
	}
}

func TestPointsOfEntry(t *testing.T) {
	bd := PointsOfEntry("bd")
	if len(bd) < 8 {
		t.Errorf("%d BD points of entry", len(bd))
	}
	seen := map[string]bool{}
	for _, p := range PointsOfEntry("") {
		if seen[p.Code] || p.Names["en"] == "" || (p.Country == "BD" && p.Names["bn"] == "") || !validChoice(p.Kind, []string{"airport", "land_port", "seaport"}) {
			t.Errorf("point of entry %+v", p)
		}
		seen[p.Code] = true
	}
	if p := PointOfEntryByCode("bd-benapole"); p == nil || p.Kind != "land_port" || p.Name("bn") == p.Name("en") {
		t.Errorf("Benapole = %+v", p)
	}
}

// TestReturnTodayInZone checks that "today" is the instance's calendar day:
// at 01:00 in Dhaka (19:00 UTC the day before) a return today is accepted
// and one tomorrow refused; in Baghdad (UTC+3) likewise around its midnight.
func TestReturnTodayInZone(t *testing.T) {
	for _, zone := range []string{"Asia/Dhaka", "Asia/Baghdad"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{
			time.Date(2028, 2, 29, 0, 0, 0, 0, loc),
			time.Date(2028, 2, 29, 0, 30, 0, 0, loc),
			time.Date(2028, 2, 29, 23, 59, 59, 0, loc),
		} {
			now := at.UTC().In(loc) // as the store hands it to rules
			e := validEpisode()
			e.Return.Date = DayDate(2028, 2, 29)
			wantProblems(t, e.Validate(now))
			e.Return.Date = DayDate(2028, 3, 1)
			wantProblems(t, e.Validate(now), "return.date=registry.return.date_future")
		}
	}
}
