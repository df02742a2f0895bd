package sqldb_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// registration returns the i-th of a set of distinct registrations.
func registration(i int) *registry.Registration {
	js := fmt.Sprintf(`{"person":{"given_name":"Nasima %s","family_name":"Akter","sex":"female","date_of_birth":"1988",
		"phones":["017%08d"],"address":{"admin_area":"BD302602","text":"Char Kalia village"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-01-10","return_type":"deported"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, string(rune('A'+i%26))+string(rune('a'+i/26%26)), 40000000+i)
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		panic(err)
	}
	return &reg
}

// pendingCount counts the events waiting for the sealer.
func pendingCount(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := sqldb.RawDB(t, db).QueryRow(`SELECT COUNT(*) FROM audit_pending`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sealAll runs SealPendingAudit in small batches until nothing is left.
func sealAll(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	total := 0
	for {
		n, err := db.SealPendingAudit(homewardtest.SystemCtx(), 7)
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n == 0 && pendingCount(t, db) == 0 {
			return total
		}
	}
}

// Registrations on several connections at once write their audit events
// pending; sealers running at once link every one of them, once, into one
// valid chain of the organisation.
func TestAuditSealedLater(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := homewardtest.SystemCtx()
	w.DB.DeferAuditSeal = true
	const workers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), registration(g*each+i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	before := len(chainEvents(t, w.DB, w.NGO.ID))
	pending := pendingCount(t, w.DB)
	if pending < workers*each {
		t.Fatalf("%d events pending after %d registrations", pending, workers*each)
	}
	rep, err := w.DB.VerifyAudit(ctx)
	if err != nil || !rep.OK() || rep.Pending != int64(pending) {
		t.Fatalf("verify with %d recent events pending: %+v %v", pending, rep, err)
	}

	var sealed sync.WaitGroup
	for range 3 {
		sealed.Go(func() {
			for {
				n, err := w.DB.SealPendingAudit(ctx, 4)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	sealed.Wait()
	sealAll(t, w.DB) // what a sealer that found the lock taken left
	events := chainEvents(t, w.DB, w.NGO.ID)
	if len(events) != before+pending {
		t.Errorf("the chain has %d events, want %d before and %d sealed", len(events), before, pending)
	}
	registered := map[string]int{}
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if e.Action == "person.register" {
			registered[e.RecordID]++
		}
	}
	if len(registered) != workers*each {
		t.Errorf("%d people's registrations in the chain, want %d", len(registered), workers*each)
	}
	for id, n := range registered {
		if n != 1 {
			t.Errorf("person %s registered %d times in the chain", id, n)
		}
	}
	rep, err = w.DB.VerifyAudit(ctx)
	if err != nil || !rep.OK() || rep.Pending != 0 {
		t.Fatalf("verify after sealing: %+v %v", rep, err)
	}

	// A sealed event changed afterwards is caught like any other.
	raw := sqldb.RawDB(t, w.DB)
	sqldb.DisableAppendOnly(t, w.DB, raw)
	last := events[len(events)-1]
	if _, err := raw.Exec(sqldb.Rebind(w.DB, `UPDATE audit_events SET detail = ? WHERE id = ?`), `{"case_id":"forged"}`, last.ID); err != nil {
		t.Fatal(err)
	}
	rep, err = w.DB.VerifyAudit(ctx)
	wantProblem(t, rep, err, w.NGO.ID, "changed")
}

// A sealer that dies before its commit leaves the events pending, and the
// next one links them, each once; an event left unsealed longer than
// UnsealedAfter is reported, and pending rows cannot be changed.
func TestAuditSealCrashAndStaleEvents(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := homewardtest.SystemCtx()
	w.DB.DeferAuditSeal = true
	base := w.DB.Now()
	w.DB.Now = func() time.Time { return base }
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), registration(1))
	if err != nil {
		t.Fatal(err)
	}
	pending := pendingCount(t, w.DB)
	if pending == 0 {
		t.Fatal("nothing pending after a registration with deferred sealing")
	}

	crash := errors.New("killed before commit")
	sqldb.BeforeSealCommit(w.DB, func() error { return crash })
	if _, err := w.DB.SealPendingAudit(ctx, 100); !errors.Is(err, crash) {
		t.Fatalf("sealing that crashed: %v", err)
	}
	sqldb.BeforeSealCommit(w.DB, nil)
	if n := pendingCount(t, w.DB); n != pending {
		t.Fatalf("%d events pending after the crashed sealer, want %d", n, pending)
	}

	raw := sqldb.RawDB(t, w.DB)
	if _, err := raw.Exec(sqldb.Rebind(w.DB, `UPDATE audit_pending SET detail = ?`), `{"case_id":"forged"}`); err == nil {
		t.Error("a pending event could be changed")
	}

	// Within the limit an event waits unremarked; past it, the chain is
	// reported, to the operator and to the organisation's auditor.
	w.DB.UnsealedAfter = time.Minute
	w.DB.Now = func() time.Time { return base.Add(59 * time.Second) }
	if rep, err := w.DB.VerifyAudit(ctx); err != nil || !rep.OK() {
		t.Fatalf("verify within the limit: %+v %v", rep, err)
	}
	w.DB.Now = func() time.Time { return base.Add(61 * time.Second) }
	rep, err := w.DB.VerifyAudit(ctx)
	wantProblem(t, rep, err, w.NGO.ID, "unsealed")
	rep, err = w.DB.VerifyAudit(w.Ctx("ngo", homeward.RoleAuditor))
	wantProblem(t, rep, err, w.NGO.ID, "unsealed")

	if n := sealAll(t, w.DB); n != pending {
		t.Errorf("sealed %d events, want %d", n, pending)
	}
	if rep, err := w.DB.VerifyAudit(ctx); err != nil || !rep.OK() {
		t.Fatalf("verify after the next sealer: %+v %v", rep, err)
	}
	evs, _, err := w.DB.FindAuditEvents(ctx, homeward.AuditFilter{RecordID: &rec.Person.ID, Action: ptr("person.register")})
	if err != nil || len(evs) != 1 || evs[0].Seq == 0 || evs[0].Hash == "" {
		t.Fatalf("the registration's event after sealing: %+v %v", evs, err)
	}
	if n, err := w.DB.SealPendingAudit(ctx, 100); err != nil || n != 0 {
		t.Errorf("sealing with nothing pending: %d %v", n, err)
	}
}

// A rule that reads the audit log sees an event still waiting for the
// sealer: a subject access request is fulfilled once its copy was made,
// sealed or not.
func TestSubjectFulfilledBeforeSealing(t *testing.T) {
	w := homewardtest.NewWorld(t)
	w.DB.DeferAuditSeal = true
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), registration(2))
	if err != nil {
		t.Fatal(err)
	}
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	req, err := w.DB.RecordSubjectRequest(sup, rec.Person.ID, homewardtest.Today(w.DB, 0), "in_person", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.FulfilSubjectRequest(sup, req.ID); err == nil {
		t.Fatal("fulfilled before the copy was made")
	}
	if err := w.DB.RecordSubjectExport(sup, rec.Person.ID, "html"); err != nil {
		t.Fatal(err)
	}
	if pendingCount(t, w.DB) == 0 {
		t.Fatal("the copy's event is not pending")
	}
	if _, err := w.DB.FulfilSubjectRequest(sup, req.ID); err != nil {
		t.Fatalf("fulfil with the copy's event pending: %v", err)
	}
}
