package sqldb_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
)

// An organisation may name its own time zone: its users' "today" (dates
// refused as future, prefilled dates) follows it, while other
// organisations keep the instance's (Asia/Dhaka). Storage stays UTC.
func TestOrganisationTimeZone(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	// 18:30 UTC on 10 March: already 11 March in Dhaka (UTC+6), still
	// 10 March in Karachi (UTC+5).
	now := time.Date(2026, 3, 10, 18, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	ngo := w.NGO

	if _, err := db.UpdateOrganisation(admin, ngo.ID, ngo.Version, homeward.OrganisationUpdate{TimeZone: ptr("Mars/Olympus_Mons")}); !fieldsOf(err)["time_zone"] {
		t.Fatalf("unknown zone: %v", err)
	}
	for _, bad := range []string{"Local", "../../etc/passwd"} {
		if _, err := db.UpdateOrganisation(admin, ngo.ID, ngo.Version, homeward.OrganisationUpdate{TimeZone: ptr(bad)}); !fieldsOf(err)["time_zone"] {
			t.Errorf("zone %q: %v", bad, err)
		}
	}
	o, err := db.UpdateOrganisation(admin, ngo.ID, ngo.Version, homeward.OrganisationUpdate{TimeZone: ptr(" Asia/Karachi ")})
	if err != nil || o.TimeZone != "Asia/Karachi" {
		t.Fatalf("set zone: %+v %v", o, err)
	}
	if _, err := db.UpdateOrganisation(admin, ngo.ID, ngo.Version, homeward.OrganisationUpdate{TimeZone: ptr("UTC")}); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale version: %v", err)
	}
	if got, err := db.FindOrganisationByID(admin, ngo.ID); err != nil || got.TimeZone != "Asia/Karachi" {
		t.Fatalf("stored zone: %+v %v", got, err)
	}

	// The signed-in actor carries the organisation's zone; another
	// organisation's user has none and follows the instance.
	ctx := context.Background()
	actorOf := func(org string) *homeward.Actor {
		token, _, err := db.Login(ctx, w.Users[org][homeward.RoleCaseWorker].Email, homewardtest.Password)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := db.SessionActor(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	karachi, dhaka := actorOf("ngo"), actorOf("operator")
	if karachi.Zone == nil || karachi.Zone.String() != "Asia/Karachi" || dhaka.Zone != nil {
		t.Fatalf("zones: %v, %v", karachi.Zone, dhaka.Zone)
	}
	if got := db.Clock().For(karachi).Today(); got != "2026-03-10" {
		t.Errorf("Karachi's today = %s", got)
	}
	if got := db.Clock().For(dhaka).Today(); got != "2026-03-11" {
		t.Errorf("Dhaka's today = %s", got)
	}

	// A return on 11 March is in the future for the Karachi NGO's case
	// worker, and today for a case worker who follows Dhaka's calendar.
	reg := func() *registry.Registration {
		var r registry.Registration
		if err := json.Unmarshal([]byte(`{"person":{"given_name":"Shahana","family_name":"Begum","sex":"female","date_of_birth":"1990",
			"address":{"admin_area":"BD302602"}},
			"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-03-11","return_type":"deported","point_of_entry":"BD-DAC"}}],
			"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`), &r); err != nil {
			t.Fatal(err)
		}
		return &r
	}
	if _, err := db.Register(homeward.NewContextWithActor(ctx, karachi), reg()); !fieldsOf(err)["episodes[0].return.date"] {
		t.Errorf("return on Dhaka's today, registered in Karachi: %v", err)
	}
	// The zone is cleared: the NGO follows the instance again.
	if _, err := db.UpdateOrganisation(admin, ngo.ID, o.Version, homeward.OrganisationUpdate{TimeZone: ptr("")}); err != nil {
		t.Fatal(err)
	}
	if a := actorOf("ngo"); a.Zone != nil {
		t.Errorf("cleared zone: %v", a.Zone)
	}
	if _, err := db.Register(homeward.NewContextWithActor(ctx, actorOf("ngo")), reg()); err != nil {
		t.Errorf("return today in Dhaka: %v", err)
	}
}
