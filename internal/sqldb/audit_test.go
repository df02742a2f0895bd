package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/sqldb"
)

// auditWorld is a World with a few more events on the NGO's chain.
func auditWorld(t *testing.T) *homewardtest.World {
	t.Helper()
	w := homewardtest.NewWorld(t)
	ctx := homewardtest.SystemCtx()
	for i := 0; i < 4; i++ {
		name := "Shapla " + string(rune('A'+i))
		o, _ := w.DB.FindOrganisationByID(ctx, w.NGO.ID)
		if _, err := w.DB.UpdateOrganisation(ctx, w.NGO.ID, o.Version, homeward.OrganisationUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// chainEvents reads a chain's events in order.
func chainEvents(t *testing.T, db *sqldb.DB, chain string) []*homeward.AuditEvent {
	t.Helper()
	var out []*homeward.AuditEvent
	ctx := homewardtest.SystemCtx()
	f := homeward.AuditFilter{Limit: 500}
	for {
		list, next, err := db.FindAuditEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.Chain == chain {
				out = append(out, e)
			}
		}
		if next == "" {
			break
		}
		f.After = next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// rewrite is what an attacker with the database but without the key can
// do: change events from seq on (edit may change each) and recompute the
// unkeyed hashes of the rest of the chain, and its head, so that every
// link holds.
func rewrite(t *testing.T, db *sqldb.DB, raw *sql.DB, chain string, from int64, edit func(e *homeward.AuditEvent)) {
	t.Helper()
	events := chainEvents(t, db, chain)
	prev := ""
	for _, e := range events {
		if e.Seq < from {
			prev = e.Hash
			continue
		}
		edit(e)
		e.PrevHash, e.KeyID = prev, ""
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if _, err := raw.Exec(sqldb.Rebind(db, `UPDATE audit_events SET action = ?, prev_hash = ?, key_id = ?, hash = ? WHERE id = ?`),
			e.Action, e.PrevHash, e.KeyID, e.Hash, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(sqldb.Rebind(db, `UPDATE audit_heads SET hash = ? WHERE chain = ?`), prev, chain); err != nil {
		t.Fatal(err)
	}
}

// truncate deletes the newest n events of a chain and rewinds its head, so
// that the chain and its head agree.
func truncate(t *testing.T, db *sqldb.DB, raw *sql.DB, chain string, n int) {
	t.Helper()
	events := chainEvents(t, db, chain)
	keep := events[:len(events)-n]
	for _, e := range events[len(keep):] {
		if _, err := raw.Exec(sqldb.Rebind(db, `DELETE FROM audit_events WHERE id = ?`), e.ID); err != nil {
			t.Fatal(err)
		}
	}
	last := keep[len(keep)-1]
	if _, err := raw.Exec(sqldb.Rebind(db, `UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ?`), last.Seq, last.Hash, chain); err != nil {
		t.Fatal(err)
	}
}

func wantProblem(t *testing.T, rep *homeward.AuditReport, err error, chain, kind string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if p.Chain == chain && p.Kind == kind {
			return
		}
	}
	t.Errorf("problems = %+v, want %s on chain %s", rep.Problems, kind, chain)
}

// Events written with the key carry its id and a MAC; an attacker who edits
// one and recomputes the unkeyed hashes of the chain is caught, whether they
// rewrite from the edited event or the whole chain.
func TestAuditKeyedAgainstRecomputation(t *testing.T) {
	ctx := homewardtest.SystemCtx()
	for _, from := range []int64{3, 1} {
		w := auditWorld(t)
		events := chainEvents(t, w.DB, w.NGO.ID)
		for _, e := range events {
			if e.KeyID != w.DB.AuditKeys.Primary().ID() || e.Hash == e.ComputeHash() {
				t.Fatalf("event %d not keyed: %+v", e.Seq, e)
			}
		}
		if rep, err := w.DB.VerifyAudit(ctx); err != nil || !rep.OK() || rep.Unkeyed != 0 {
			t.Fatalf("clean log: %+v %v", rep, err)
		}
		raw := sqldb.RawDB(t, w.DB)
		sqldb.DisableAppendOnly(t, w.DB, raw)
		rewrite(t, w.DB, raw, w.NGO.ID, from, func(e *homeward.AuditEvent) {
			if e.Seq == 3 {
				e.Action = "organisation.delete"
			}
		})
		rep, err := w.DB.VerifyAudit(ctx)
		wantProblem(t, rep, err, w.NGO.ID, "unkeyed")
	}
}

// Whoever has the database but not the key cannot hide a deletion from the
// end of a chain from a checkpoint, nor replace chains wholesale; a good
// chain with a checkpoint passes, and so does one that grew since.
func TestAuditCheckpoint(t *testing.T) {
	ctx := homewardtest.SystemCtx()
	anchor := func(t *testing.T, w *homewardtest.World) *homeward.AuditCheckpoint {
		t.Helper()
		cp, rep, err := w.DB.AuditCheckpoint(ctx)
		if err != nil || cp == nil {
			t.Fatalf("anchor: %v %+v", err, rep)
		}
		return cp
	}
	t.Run("good", func(t *testing.T) {
		w := auditWorld(t)
		cp := anchor(t, w)
		if len(cp.Chains) < 2 || cp.KeyID != w.DB.AuditKeys.Primary().ID() || cp.Signature == "" {
			t.Fatalf("checkpoint: %+v", cp)
		}
		for _, h := range cp.Chains {
			if h.Chain == w.NGO.ID && (h.OrgID != w.NGO.ID || h.Seq < 5 || h.Hash == "") {
				t.Errorf("NGO head: %+v", h)
			}
		}
		name := "Shapla Z"
		o, _ := w.DB.FindOrganisationByID(ctx, w.NGO.ID)
		if _, err := w.DB.UpdateOrganisation(ctx, w.NGO.ID, o.Version, homeward.OrganisationUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		rep, err := w.DB.VerifyAuditCheckpoint(ctx, cp)
		if err != nil || !rep.OK() || rep.Checkpoint == nil {
			t.Fatalf("good chain with a checkpoint: %+v %v", rep, err)
		}
	})
	t.Run("tail deleted", func(t *testing.T) {
		w := auditWorld(t)
		cp := anchor(t, w)
		raw := sqldb.RawDB(t, w.DB)
		sqldb.DisableAppendOnly(t, w.DB, raw)
		truncate(t, w.DB, raw, w.NGO.ID, 2)
		if rep, err := w.DB.VerifyAudit(ctx); err != nil || !rep.OK() {
			t.Fatalf("without a checkpoint a deleted tail with its head rewound is not visible: %+v %v", rep, err)
		}
		rep, err := w.DB.VerifyAuditCheckpoint(ctx, cp)
		wantProblem(t, rep, err, w.NGO.ID, "truncated")
	})
	t.Run("chain removed", func(t *testing.T) {
		w := auditWorld(t)
		cp := anchor(t, w)
		raw := sqldb.RawDB(t, w.DB)
		sqldb.DisableAppendOnly(t, w.DB, raw)
		for _, q := range []string{`DELETE FROM audit_events WHERE chain = ?`, `DELETE FROM audit_heads WHERE chain = ?`} {
			if _, err := raw.Exec(sqldb.Rebind(w.DB, q), w.NGO.ID); err != nil {
				t.Fatal(err)
			}
		}
		if rep, err := w.DB.VerifyAudit(ctx); err != nil || !rep.OK() {
			t.Fatalf("without a checkpoint a removed chain is not visible: %+v %v", rep, err)
		}
		rep, err := w.DB.VerifyAuditCheckpoint(ctx, cp)
		wantProblem(t, rep, err, w.NGO.ID, "truncated")
	})
	t.Run("all chains replaced", func(t *testing.T) {
		// Every chain rewritten unkeyed looks like a log from before the
		// audit key; only a checkpoint tells.
		w := auditWorld(t)
		cp := anchor(t, w)
		raw := sqldb.RawDB(t, w.DB)
		sqldb.DisableAppendOnly(t, w.DB, raw)
		for _, h := range cp.Chains {
			rewrite(t, w.DB, raw, h.Chain, 1, func(e *homeward.AuditEvent) {})
		}
		rep, err := w.DB.VerifyAuditCheckpoint(ctx, cp)
		wantProblem(t, rep, err, w.NGO.ID, "replaced")
		wantProblem(t, rep, err, w.Operator.ID, "replaced")
	})
	t.Run("tampered checkpoint", func(t *testing.T) {
		w := auditWorld(t)
		other := homewardtest.AuditKeys(t).Primary()
		for name, tamper := range map[string]func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint{
			"seq lowered": func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint {
				cp.Chains[0].Seq--
				return cp
			},
			"chain dropped": func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint {
				cp.Chains = cp.Chains[1:]
				return cp
			},
			"time moved": func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint {
				cp.At = cp.At.Add(-time.Hour)
				return cp
			},
			"re-signed with another key": func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint {
				forged := homeward.SignCheckpoint(other, cp.At, cp.Chains[1:])
				forged.KeyID = cp.KeyID
				return forged
			},
			"another key's checkpoint": func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint {
				return homeward.SignCheckpoint(other, cp.At, cp.Chains[1:])
			},
			"no signature": func(cp *homeward.AuditCheckpoint) *homeward.AuditCheckpoint {
				cp.Signature = ""
				return cp
			},
		} {
			cp := tamper(anchor(t, w))
			if _, err := w.DB.VerifyAuditCheckpoint(ctx, cp); !errors.Is(err, homeward.ErrCheckpoint) {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// Verifying with a key other than the one the log is keyed with is a clear
// error naming both key ids, and a process with that key refuses to start.
func TestAuditWrongKey(t *testing.T) {
	w := auditWorld(t)
	ctx := homewardtest.SystemCtx()
	right := w.DB.AuditKeys.Primary().ID()
	w.DB.AuditKeys = homewardtest.AuditKeys(t)
	_, err := w.DB.VerifyAudit(ctx)
	if !errors.Is(err, homeward.ErrAuditKey) || !strings.Contains(err.Error(), right) || !strings.Contains(err.Error(), w.DB.AuditKeys.Primary().ID()) {
		t.Errorf("verify with the wrong key: %v", err)
	}
	if err := w.DB.CheckAuditKeys(context.Background()); !errors.Is(err, homeward.ErrAuditKey) {
		t.Errorf("check with the wrong key: %v", err)
	}
	if _, _, err := w.DB.AuditCheckpoint(ctx); !errors.Is(err, homeward.ErrAuditKey) {
		t.Errorf("anchor with the wrong key: %v", err)
	}
	// Without a key, nothing is written unaudited.
	w.DB.AuditKeys = nil
	name := "Unkeyed"
	o, _ := w.DB.FindOrganisationByID(ctx, w.NGO.ID)
	if _, err := w.DB.UpdateOrganisation(ctx, w.NGO.ID, o.Version, homeward.OrganisationUpdate{Name: &name}); !errors.Is(err, homeward.ErrAuditKey) {
		t.Errorf("write without an audit key: %v", err)
	}
}

// Events written before the audit key verify by the unkeyed rule; the first
// start with the key binds them with one keyed event per chain, after which
// rewriting them (even with every unkeyed hash recomputed) is detected.
func TestAuditLegacyEvents(t *testing.T) {
	db := homewardtest.Open(t)
	ctx := homewardtest.SystemCtx()
	raw := sqldb.RawDB(t, db)
	at := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, chain := range []string{homeward.SystemChain, "org-1"} {
		prev := ""
		org := chain
		if chain == homeward.SystemChain {
			org = ""
		}
		for seq := int64(1); seq <= 3; seq++ {
			e := &homeward.AuditEvent{Chain: chain, Seq: seq, At: at, ActorID: "system", OrgID: org, Action: "legacy.write",
				RecordType: "thing", RecordID: "t", PrevHash: prev}
			e.Hash = e.ComputeHash()
			prev = e.Hash
			if _, err := raw.Exec(sqldb.Rebind(db, `INSERT INTO audit_events (chain, seq, at, actor_id, org_id, action, record_type, record_id, request_id, detail, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?)`), e.Chain, e.Seq, sqldb.TimeArg(db, e.At), e.ActorID, e.OrgID, e.Action, e.RecordType, e.RecordID, e.PrevHash, e.Hash); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := raw.Exec(sqldb.Rebind(db, `INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 3, ?)`), chain, prev); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := db.VerifyAudit(ctx)
	if err != nil || !rep.OK() || rep.Unkeyed != 6 {
		t.Fatalf("legacy log: %+v %v", rep, err)
	}
	if n, err := db.KeyLegacyAudit(ctx); n != 2 || err != nil {
		t.Fatalf("keyed %d chains: %v", n, err)
	}
	if n, err := db.KeyLegacyAudit(ctx); n != 0 || err != nil {
		t.Fatalf("keyed again %d chains: %v", n, err)
	}
	rep, err = db.VerifyAudit(ctx)
	if err != nil || !rep.OK() || rep.Unkeyed != 6 || rep.Events != 8 {
		t.Fatalf("keyed legacy log: %+v %v", rep, err)
	}
	sqldb.DisableAppendOnly(t, db, raw)
	// Rewrite the legacy prefix of org-1, recomputing its unkeyed hashes:
	// the keyed event after it no longer follows.
	events := chainEvents(t, db, "org-1")
	prev := ""
	for _, e := range events[:3] {
		if e.Seq == 2 {
			e.Action = "legacy.other"
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if _, err := raw.Exec(sqldb.Rebind(db, `UPDATE audit_events SET action = ?, prev_hash = ?, hash = ? WHERE id = ?`), e.Action, e.PrevHash, e.Hash, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	rep, err = db.VerifyAudit(ctx)
	wantProblem(t, rep, err, "org-1", "reordered")
	// Dropping the keyed event as well leaves a chain without the key in a
	// keyed log.
	truncate(t, db, raw, "org-1", 1)
	rep, err = db.VerifyAudit(ctx)
	wantProblem(t, rep, err, "org-1", "unkeyed")
}

// A read that fails part-way through the chain heads is an error, never a
// report built from the heads read before it (VerifyAudit used to ignore
// rows.Err there and report the rest as chains without a head).
func TestVerifyAuditReadError(t *testing.T) {
	w := auditWorld(t)
	raw := sqldb.RawDB(t, w.DB)
	boom := `abs(-9223372036854775807 - 1)` // SQLite: integer overflow
	if homewardtest.Backend() == "postgres" {
		boom = `seq / 0` // division by zero
	}
	for _, q := range []string{
		`ALTER TABLE audit_heads RENAME TO audit_heads_real`,
		`CREATE VIEW audit_heads AS SELECT chain, CASE WHEN chain = '` + w.NGO.ID + `' THEN ` + boom + ` ELSE seq END AS seq, hash FROM audit_heads_real`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx()); err == nil {
		t.Fatalf("failed read reported as %+v", rep)
	}
}

// Events and chains written while the log is verified (other processes at
// work) are not reported as breaks, so audit anchor works on a live system.
func TestVerifyAuditWhileWriting(t *testing.T) {
	w := auditWorld(t)
	ctx := homewardtest.SystemCtx()
	sqldb.AfterAuditHeads(w.DB, func() {
		name := "Shapla during verification"
		o, _ := w.DB.FindOrganisationByID(ctx, w.NGO.ID)
		if _, err := w.DB.UpdateOrganisation(ctx, w.NGO.ID, o.Version, homeward.OrganisationUpdate{Name: &name}); err != nil {
			t.Error(err)
		}
		org := &homeward.Organisation{Name: "New during verification", Type: homeward.OrgNGO, Country: "BD"}
		if err := w.DB.CreateOrganisation(ctx, org); err != nil {
			t.Error(err)
		}
	})
	cp, rep, err := w.DB.AuditCheckpoint(ctx)
	if err != nil || cp == nil || !rep.OK() {
		t.Fatalf("anchor while writing: %+v %v", rep, err)
	}
	sqldb.AfterAuditHeads(w.DB, nil)
	if rep, err := w.DB.VerifyAuditCheckpoint(ctx, cp); err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
