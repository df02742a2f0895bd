package sqldb_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// importPeople returns n import rows of varied people (phones, documents,
// native and parents' names), their external ids prefixed.
func importPeople(prefix string, n int) []*registry.ImportRow {
	given := []string{"Rafiqul", "Rahima", "Md. Abdul", "Shahana", "Mohammad Kamal Uddin"}
	family := []string{"Islam", "Begum", "Hossain", "Akter", ""}
	var rows []*registry.ImportRow
	for i := range n {
		r := reg(fmt.Sprintf("%s%d", prefix, i), i)
		p := &r.Person
		p.GivenName, p.FamilyName = given[i%len(given)], family[(i/2)%len(family)]
		if i%3 == 0 {
			p.FullNameNative = "রহিমা বেগম"
			p.FatherName = "Abdul Karim"
		}
		if i%2 == 0 {
			p.Phones = []string{fmt.Sprintf("+88017%08d", i)}
		}
		if i%4 == 1 {
			p.Documents = []registry.Document{{Type: registry.DocNationalID, Number: fmt.Sprintf("19%011d", i)}}
		}
		rows = append(rows, &registry.ImportRow{Line: i + 2, ExternalID: p.ExternalID, Person: r.Person, Episode: r.Episodes[0]})
	}
	return rows
}

// The batched import writes for every new person what registering the
// row alone writes: the same search keys and words, case facts, timeline
// and audit events, and the audit chain verifies.
func TestImportBatchWritesWhatOneByOneDoes(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	n := sqldb.ImportChunkRows(w.DB) + 50 // more than a transaction's chunk, and more than a statement's rows
	out, err := w.DB.ImportRows(ctx, importPeople("B", n))
	if err != nil {
		t.Fatal(err)
	}
	one, err := sqldb.ImportOneByOne(ctx, w.DB, importPeople("S", n))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if out[i] != registry.ImportCreated || one[i] != registry.ImportCreated {
			t.Fatalf("row %d: batched %q, one by one %q", i, out[i], one[i])
		}
	}
	raw := sqldb.RawDB(t, w.DB)
	// The queries below take one argument, ? on SQLite and $1 on PostgreSQL.
	arg := func(q string) string {
		if w.DB.Dialect() == "postgres" {
			return strings.Replace(q, "?", "$1", 1)
		}
		return q
	}
	// Values that differ between two people by design: ids, external
	// ids, case numbers, the transaction's time.
	eventID := regexp.MustCompile(`"(id|at)":"[^"]*"`)
	number := regexp.MustCompile(`[A-Z]{3}-[0-9]{4}-[0-9]+`)
	describe := func(ext string) string {
		t.Helper()
		var b strings.Builder
		var id, caseID string
		if err := raw.QueryRow(arg(`SELECT id FROM people WHERE external_id = ?`), ext).Scan(&id); err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		norm := func(s string) string {
			s = strings.ReplaceAll(s, id, "ID")
			if caseID != "" {
				s = strings.ReplaceAll(s, caseID, "CASE")
			}
			s = strings.ReplaceAll(s, `"`+ext+`"`, "EXT")
			return number.ReplaceAllString(eventID.ReplaceAllString(s, `"$1":"X"`), "NUM")
		}
		q := func(query string, args ...any) {
			t.Helper()
			rows, err := raw.Query(arg(query), args...)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			defer rows.Close()
			var lines []string
			for rows.Next() {
				vals := sqldb.ScanAny(t, rows)
				for i, v := range vals {
					switch x := v.(type) {
					case string:
						vals[i] = norm(x)
					case []byte:
						vals[i] = norm(string(x))
					}
				}
				lines = append(lines, fmt.Sprintf("%q", vals))
			}
			slices.Sort(lines)
			fmt.Fprintf(&b, "%s\n\t%s\n", strings.Fields(query)[1], strings.Join(lines, "\n\t"))
		}
		if err := raw.QueryRow(arg(`SELECT id FROM cases WHERE person_id = ?`), id).Scan(&caseID); err != nil {
			t.Fatalf("%s: case: %v", ext, err)
		}
		q(`SELECT org_id, given_name, family_name, full_name_native, sex, date_of_birth, admin_area, seal_key <> '', episodes, version, created_by, created_at = updated_at, merged_into FROM people WHERE id = ?`, id)
		// The record is sealed (with a fresh nonce each time): compare
		// what it opens to.
		rec, err := w.DB.FindRecord(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		pj, _ := json.Marshal(rec.Person)
		fmt.Fprintf(&b, "person\n\t%s\n", norm(string(pj)))
		q(`SELECT words, sounds FROM person_words WHERE person_id = ?`, id)
		q(`SELECT org_id, kind, value, merge_id FROM person_keys WHERE person_id = ?`, id)
		q(`SELECT substr(number, 1, 8), org_id, assigned_to, status, closure_reason, priority, vulnerabilities, incomplete, return_date, return_type, destination_country, district, sex, opened_at = updated_at, closed_at, version, merged_into FROM cases WHERE person_id = ?`, id)
		q(`SELECT org_id, kind, actor_id, event FROM case_events WHERE case_id = ?`, caseID)
		q(`SELECT chain, actor_id, org_id, action, record_type, request_id, detail, key_id FROM audit_events WHERE record_id = ?`, id)
		return b.String()
	}
	for i := range n {
		b, s := describe(fmt.Sprintf("B%d", i)), describe(fmt.Sprintf("S%d", i))
		if b != s {
			t.Fatalf("row %d: the batched import wrote\n%s\none by one:\n%s", i, b, s)
		}
	}
	// Every new person's case has its own number, in the rows' order.
	var numbers, distinct int
	if err := raw.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT number) FROM cases`).Scan(&numbers, &distinct); err != nil || numbers != 2*n || distinct != numbers {
		t.Errorf("cases %d, distinct numbers %d (%v); want %d", numbers, distinct, err, 2*n)
	}
	if rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx()); err != nil || !rep.OK() || rep.Events < int64(2*n) {
		t.Errorf("audit after a batched import: %+v, %v", rep, err)
	}
	// Searching finds the imported people by a full name's pair key.
	if r, err := w.DB.SearchPage(ctx, registry.SearchFilter{Query: "Rafiqul Islam"}); err != nil || len(r.Items) == 0 {
		t.Errorf("search after import: %v, %v", r, err)
	}
}

// Rows of one chunk see each other in order: a row naming a person an
// earlier row of the chunk created updates that person; a row naming a
// known person between new ones updates it; a second identical file
// changes nothing.
func TestImportChunkRowsSeeEachOther(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	known := importPeople("K", 1)
	if _, err := w.DB.ImportRows(ctx, known); err != nil {
		t.Fatal(err)
	}
	rows := importPeople("N", 4)
	again := *rows[0]
	again.Person.GivenName = "Salma"
	changed := *known[0]
	changed.Person.FamilyName = "Chowdhury"
	file := []*registry.ImportRow{rows[0], rows[1], &changed, rows[2], &again, rows[3]}
	out, err := w.DB.ImportRows(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.ImportOutcome{registry.ImportCreated, registry.ImportCreated, registry.ImportUpdated, registry.ImportCreated, registry.ImportUpdated, registry.ImportCreated}
	if !slices.Equal(out, want) {
		t.Errorf("outcomes %v, want %v", out, want)
	}
	list, _, err := w.DB.Search(ctx, registry.SearchFilter{Limit: 50})
	if err != nil || len(list) != 5 {
		t.Fatalf("%d people after the import (%v), want 5", len(list), err)
	}
	names := map[string]bool{}
	for _, s := range list {
		names[s.Name] = true
	}
	if !names["Salma Islam"] || !names["Rafiqul Chowdhury"] {
		t.Errorf("people after the import: %v", names)
	}
	out, err = w.DB.ImportRows(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	// The file names N0 twice: its second row changes what its first set.
	want = []registry.ImportOutcome{registry.ImportUpdated, registry.ImportUnchanged, registry.ImportUnchanged, registry.ImportUnchanged, registry.ImportUpdated, registry.ImportUnchanged}
	if !slices.Equal(out, want) {
		t.Errorf("outcomes of the same file again %v, want %v", out, want)
	}
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportRows imports people in batches of registry.ImportBatch
// rows, as an upload does, into a database that grows with b.N (run it
// with -benchtime 20000x for a registry of that size); it reports people
// per second and the writer's commits.
func BenchmarkImportRows(b *testing.B) {
	w := homewardtest.NewWorld(b)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	rows := importPeople("P", b.N)
	ws0 := w.DB.WriterStats()
	cpu0 := cpuTime()
	b.ResetTimer()
	for lo := 0; lo < len(rows); lo += registry.ImportBatch {
		if _, err := w.DB.ImportRows(ctx, rows[lo:min(lo+registry.ImportBatch, len(rows))]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// The process's CPU time per person says more than the elapsed time
	// on a machine shared with other work.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/person")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "people/s")
	if ws := w.DB.WriterStats(); ws.Groups > ws0.Groups {
		b.ReportMetric(float64(ws.Groups-ws0.Groups), "commits")
	}
}

// Two records of one person in one batch of an import (a chunk written
// with one statement per table) are still raised as a duplicate pair.
func TestImportBatchDuplicatesAreRaised(t *testing.T) {
	w := homewardtest.NewWorld(t)
	svc := dedupe.New(w.DB, dedupe.Options{})
	w.DB.OnPersonChanged(svc.PersonChanged)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	rows := importPeople("D", 40)
	// Rows 3 and 17 are one man, written twice (another external id).
	twin := *rows[3]
	twin.ExternalID, twin.Line = "D-TWIN", rows[17].Line
	twin.Person.ExternalID = twin.ExternalID
	rows[17] = &twin
	out, err := w.DB.ImportRows(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o != registry.ImportCreated {
			t.Fatalf("row %d: %q", i, o)
		}
	}
	if _, err := svc.ScanAll(homewardtest.SystemCtx()); err != nil {
		t.Fatal(err)
	}
	pairs, _, err := svc.Pairs(w.Ctx("ngo", homeward.RoleSupervisor), dedupe.PairFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	list, _, _ := w.DB.Search(ctx, registry.SearchFilter{Limit: 100})
	for _, s := range list {
		rec, err := w.DB.FindRecord(ctx, s.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		ids[rec.Person.ExternalID] = s.PersonID
	}
	for _, p := range pairs {
		if p.Has(ids["D3"]) && p.Has(ids["D-TWIN"]) {
			return
		}
	}
	t.Errorf("no pair of the two records of one person imported together among %d pairs", len(pairs))
}

// While nothing else waits for SQLite's writer, an import's chunks share a
// transaction, up to a bound (ImportTxRows): twice the bound and 50 rows
// more are three commits, not one per 100-row chunk, and every row is
// written.
func TestImportChunksShareACommitWhileWriterIdle(t *testing.T) {
	w := homewardtest.NewWorld(t)
	if w.DB.Dialect() != "sqlite" {
		t.Skip("PostgreSQL commits every chunk on its own")
	}
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	n := 2*sqldb.ImportTxRows + 50
	rows := importPeople("C", n)
	before := w.DB.WriterStats()
	out, err := w.DB.ImportRows(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o != registry.ImportCreated {
			t.Fatalf("row %d: outcome %q", i, o)
		}
	}
	if got := w.DB.WriterStats().Groups - before.Groups; got != 3 {
		t.Errorf("%d rows imported in %d commits; want 3 (%d rows at most to one)", n, got, sqldb.ImportTxRows)
	}
	stored, err := w.DB.CountPeople(ctx, homeward.ActorFromContext(ctx).OrgID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if stored != n {
		t.Errorf("%d people stored; want %d", stored, n)
	}
}

// An import looks the external ids of each chunk up in people_external,
// one entry an id — on PostgreSQL in the plan it caches for the statement
// (the generic plan), even one made on the statistics of a nearly empty
// table, as after an organisation's first rows. The IN list of before got
// the organisation alone as its index condition there, and each chunk
// read every person of the organisation.
func TestImportLookupReadsOneEntryAnID(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	if sqldb.IsPostgres(w.DB) {
		// Statistics of three people, kept while the table grows.
		if _, err := w.DB.ImportRows(ctx, importPeople("A", 3)); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{`ANALYZE people`, `ALTER TABLE people SET (autovacuum_enabled = false)`} {
			if _, err := sqldb.RawDB(t, w.DB).Exec(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.DB.ImportRows(ctx, importPeople("B", 600)); err != nil {
		t.Fatal(err)
	}
	org := w.Actor("ngo", homeward.RoleCaseWorker).OrgID
	var exts []string
	for i := range 100 {
		exts = append(exts, fmt.Sprintf("B%d", i*5))
	}
	external := regexp.MustCompile(`\bpeople_external\b`)
	check := func(q string, args []any) string {
		plan := sqldb.ExplainGeneric(t, w.DB, q, args)
		if line := badPlanLine(w.DB, plan); line != "" {
			return line + " in plan:\n" + strings.Join(plan, "\n")
		}
		if !slices.ContainsFunc(plan, external.MatchString) {
			return "people_external unused in plan:\n" + strings.Join(plan, "\n")
		}
		return ""
	}
	q, args := sqldb.KnownPeopleQuery(w.DB, org, exts)
	if bad := check(q, args); bad != "" {
		t.Errorf("the import's look-up: %s\nof %s", bad, q)
	}
	if sqldb.IsPostgres(w.DB) {
		// The check itself: the statement of before fails it.
		old := `SELECT external_id, id, person, episodes, version, merged_into FROM people WHERE org_id = $1 AND external_id <> '' AND external_id IN (`
		args := []any{org}
		for i, e := range exts {
			old += fmt.Sprintf("$%d, ", i+2)
			args = append(args, e)
		}
		old = strings.TrimSuffix(old, ", ") + ")"
		if check(old, args) == "" {
			t.Errorf("the IN list of before passes the plan check")
		}
	}
	// What it finds: the people named, and no one else.
	rows, err := sqldb.RawDB(t, w.DB).Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		found++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if found != 100 {
		t.Errorf("the look-up found %d people of the 100 named", found)
	}
}
