package sqldb

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"homeward"
	"homeward/internal/registry"
)

// importChunk is how many rows of an import one transaction writes: about
// 25 ms of the writer's time, so a registration queued behind it waits
// little (see TransactInTurn).
const importChunk = 100

// pgImportChunk is importChunk on PostgreSQL, where each chunk is a
// transaction of its own (see writerIdle) and transactions run side by
// side: a registration waits only for the part of a chunk's transaction
// that holds the case number counter (createImported writes that part
// last). Measured, importing 100,000 people: 100 rows a transaction
// 5,376/s, 500 rows 6,401 and 6,373/s (fewer commits, each flushing the
// WAL, and fewer COPY round trips).
const pgImportChunk = 500

// importChunkRows is how many rows of an import a chunk holds.
func (db *DB) importChunkRows() int {
	if db.dialect == postgres {
		return pgImportChunk
	}
	return importChunk
}

// ImportRows stores valid rows of an import, a chunk of rows
// (importChunkRows) to a transaction or more (a row is written whole or not at all): a new
// external_id registers the person with a new case; a known one updates the
// person when something changed and is left alone otherwise, so importing a
// file twice changes nothing.
//
// What does not need the writer is done before a chunk's transaction, and
// while the chunk before it is written: the new people's JSON, search keys
// and case facts (importPrep). In the transaction the chunk's known people
// are read in one query and its new ones are written with a few multi-row
// statements (createImported).
func (db *DB) ImportRows(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActImport, homeward.Resource{Type: "person", OrgID: org}); err != nil {
		return nil, err
	}
	country, err := db.orgCountry(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		if !row.OK() || row.ExternalID == "" {
			return nil, homeward.Errorf(homeward.EINVALID, "registry.import.invalid_row", "Only valid rows with an external_id can be imported.")
		}
	}
	keys, err := db.identKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]registry.ImportOutcome, len(rows))
	chunkRows := db.importChunkRows()
	type prepared struct {
		preps []*importPrep
		err   error
	}
	prepare := func(lo int) <-chan prepared {
		c := make(chan prepared, 1)
		go func() {
			preps, err := prepareImport(keys, rows[lo:min(lo+chunkRows, len(rows))], org)
			c <- prepared{preps, err}
		}()
		return c
	}
	// On SQLite a chunk waits its turn among the writer's jobs; on
	// PostgreSQL it writes with COPY on its transaction's connection.
	transact := db.bulkTransact()
	next, pending := prepare(0), true
	// lo is the first row not yet committed; each transaction writes the
	// chunk at lo and, while no other job waits for the writer, the
	// chunks after it (up to importTxRows rows): a commit writes every
	// page it dirtied, and the pages at the end of each index are shared by
	// consecutive chunks, so fewer commits write fewer pages. A
	// registration that queues meanwhile waits for one chunk, as before.
	// Should such a transaction fail, its chunks are written again one to a
	// transaction, so that those before the failing row are kept, as when
	// every chunk commits on its own.
	single := false
	for lo := 0; lo < len(rows); {
		hi, tried := lo, 0
		var chunks []registry.ImportOutcome
		err := transact(ctx, func(tx *Tx) error {
			hi, chunks = lo, make([]registry.ImportOutcome, 0, min(importTxRows, len(rows)-lo))
			for {
				p := <-next
				pending = false
				if p.err != nil {
					return p.err
				}
				end := min(hi+chunkRows, len(rows))
				if end < len(rows) {
					next, pending = prepare(end), true
				}
				chunk := make([]registry.ImportOutcome, end-hi)
				tried++
				if err := db.importChunk(tx, rows[hi:end], p.preps, chunk, org, country); err != nil {
					return err
				}
				chunks, hi = append(chunks, chunk...), end
				if single || hi == len(rows) || hi-lo+chunkRows > importTxRows || !db.writerIdle() {
					return nil
				}
			}
		})
		if err != nil {
			// A chunk being prepared is waited for: it reads rows.
			if pending {
				<-next
			}
			if tried > 1 {
				next, pending, single = prepare(lo), true, true
				continue
			}
			// The chunks before are written: say so, and what they were.
			if lo > 0 {
				db.personChanged(org, "")
			}
			return out, err
		}
		copy(out[lo:], chunks)
		lo = hi
	}
	db.personChanged(org, "")
	return out, nil
}

// importTxRows bounds the rows of an import that one transaction writes
// when nothing else waits for the writer (see ImportRows). Measured on the
// 20,000-person import of issue 14: 500 → 2,000 rows to a commit cut the
// process's CPU by 13–22% (fewer WAL frames written at commit and fewer
// pages checkpointed); 5,000 gave nothing more within the noise.
const importTxRows = 2000

// writerIdle reports whether no transaction waits for SQLite's writer. On
// PostgreSQL, where transactions run side by side, it reports false: an
// import's transaction holds the case-number counter it took until it
// commits, and a registration would wait for it.
func (db *DB) writerIdle() bool {
	return db.group != nil && len(db.group.jobs) == 0
}

// importPrep is an import row made ready, outside the writer, for being
// written as a new person: the registration and its prepared person (a new
// ID, JSON, search keys, the case's copied facts). A row that turns out to
// update a known person does not use it.
type importPrep struct {
	reg registry.Registration
	pp  *preparedPerson
}

func prepareImport(k *identKeys, rows []*registry.ImportRow, org string) ([]*importPrep, error) {
	preps := make([]*importPrep, len(rows))
	for i, row := range rows {
		ip := &importPrep{reg: registry.Registration{Person: row.Person, Episodes: []registry.MigrationEpisode{row.Episode}}}
		ip.reg.Person.OrgID, ip.reg.Person.ExternalID = org, row.ExternalID
		var err error
		if ip.pp, err = preparePerson(k, &ip.reg.Person, ip.reg.Episodes); err != nil {
			return nil, err
		}
		preps[i] = ip
	}
	return preps, nil
}

// knownPerson is a stored person an import row names by external_id.
type knownPerson struct {
	id, person, episodes string
	version              int
	mergedInto           *string
}

// importChunk is a transaction's share of ImportRows: rows (prepared as
// preps), with their outcomes in out (left alone if the transaction fails).
// Rows are applied in their order: consecutive new people are written
// together, just before the next row that names a known person (or one
// named earlier in the chunk), so every row sees the ones before it.
func (db *DB) importChunk(tx *Tx, rows []*registry.ImportRow, preps []*importPrep, out []registry.ImportOutcome, org, country string) error {
	known, err := tx.knownPeople(org, rows)
	if err != nil {
		return err
	}
	var pending []int
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := tx.createImported(rows, preps, pending, org, country); err != nil {
			return err
		}
		for _, i := range pending {
			out[i] = registry.ImportCreated
		}
		pending = pending[:0]
		return nil
	}
	seen := make(map[string]bool, len(rows))
	for i, row := range rows {
		k, ok := known[row.ExternalID]
		if !ok && !seen[row.ExternalID] {
			seen[row.ExternalID] = true
			pending = append(pending, i)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		var kp *knownPerson
		if ok && !seen[row.ExternalID] {
			// As read at the start of the chunk, and not written since.
			kp = k
		}
		seen[row.ExternalID] = true
		if out[i], err = db.importOne(tx, row, kp, org, country); err != nil {
			return err
		}
	}
	return flush()
}

// knownPeople reads the people of org that rows name by external_id, in
// one query.
func (tx *Tx) knownPeople(org string, rows []*registry.ImportRow) (map[string]*knownPerson, error) {
	exts := make([]string, 0, len(rows))
	dup := make(map[string]bool, len(rows))
	for _, r := range rows {
		if !dup[r.ExternalID] {
			dup[r.ExternalID] = true
			exts = append(exts, r.ExternalID)
		}
	}
	q, args := knownPeopleQuery(tx.db.dialect, org, exts)
	res, err := tx.tx.QueryContext(tx.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	known := map[string]*knownPerson{}
	for res.Next() {
		var ext string
		k := &knownPerson{}
		if err := res.Scan(&ext, &k.id, &k.person, &k.episodes, &k.version, &k.mergedInto); err != nil {
			return nil, err
		}
		known[ext] = k
	}
	return known, res.Err()
}

// knownPeopleQuery is knownPeople's statement and its arguments for the
// people of org with the external ids exts (distinct).
//
// On PostgreSQL each id is one equality look-up in people_external,
// whatever statistics the planner has: the plan it may cache for an IN
// list while people is small (an organisation's first import) keeps
// org_id alone as its index condition and reads every person of the
// organisation for each chunk (30 ms a chunk at 12,000 people, growing
// with them; 100,000-row imports ran at 1,100–2,000 rows/s when it
// happened, in five of six measured). The LIMIT keeps the subquery a
// look-up made once an id rather than a join the planner may turn into a
// scan of the organisation.
func knownPeopleQuery(d dialect, org string, exts []string) (string, []any) {
	if d == postgres {
		return `SELECT p.external_id, p.id, p.person, p.episodes, p.version, p.merged_into FROM unnest($2::text[]) AS e(ext)
		CROSS JOIN LATERAL (SELECT external_id, id, person, episodes, version, merged_into FROM people
			WHERE org_id = $1 AND external_id = e.ext AND external_id <> '' LIMIT 1) p`, []any{org, exts}
	}
	return `SELECT external_id, id, person, episodes, version, merged_into FROM people
		WHERE org_id = ? AND external_id <> '' AND external_id IN ` + inList(len(exts)), append([]any{org}, anys(exts)...)
}

// importOne applies a row whose external_id names a known person (kp, or
// read again when nil): it updates the person when something changed. A
// row whose external_id is not known after all registers a new person.
func (db *DB) importOne(tx *Tx, row *registry.ImportRow, kp *knownPerson, org, country string) (registry.ImportOutcome, error) {
	p := row.Person
	p.OrgID, p.ExternalID = org, row.ExternalID
	if kp == nil {
		kp = &knownPerson{}
		err := tx.QueryRow(`SELECT id, person, episodes, version, merged_into FROM people WHERE org_id = ? AND external_id = ? AND external_id <> ''`, org, row.ExternalID).
			Scan(&kp.id, &kp.person, &kp.episodes, &kp.version, &kp.mergedInto)
		if err == errNoRows {
			reg := &registry.Registration{Person: p, Episodes: []registry.MigrationEpisode{row.Episode}}
			rec, err := tx.register(reg, &registry.Case{}, country, nil)
			if err != nil {
				return "", err
			}
			if err := tx.addEvent(org, registry.NewCaseEvent(rec.Case.ID, registry.EventImported, "", tx.now, map[string]any{"line": row.Line})); err != nil {
				return "", err
			}
			return registry.ImportCreated, nil
		} else if err != nil {
			return "", err
		}
	}
	if kp.mergedInto != nil {
		// The record was merged into another person: its data lives
		// on there, and changing the absorbed copy would be lost on
		// the next unmerge. The report names the row for review.
		return registry.ImportMerged, nil
	}
	id, version := kp.id, kp.version
	var old registry.Person
	var oldEps []registry.MigrationEpisode
	if err := tx.openPerson(kp.person, kp.id, &old); err != nil {
		return "", err
	}
	if err := json.Unmarshal([]byte(kp.episodes), &oldEps); err != nil {
		return "", err
	}
	// The file carries one episode: it replaces the latest one and
	// keeps the person's other fields that the file has no column for.
	merged := mergeImported(&old, &p)
	merged.ID = id
	eps := append([]registry.MigrationEpisode(nil), oldEps...)
	if len(eps) == 0 {
		eps = append(eps, row.Episode)
	} else {
		eps[len(eps)-1] = mergeEpisode(eps[len(eps)-1], row.Episode)
	}
	changed := changedFields(&old, merged, oldEps, eps)
	if len(changed) == 0 {
		return registry.ImportUnchanged, nil
	}
	var c *registry.Case
	var caseID string
	if err := tx.QueryRow(`SELECT id FROM cases WHERE person_id = ? ORDER BY opened_at DESC LIMIT 1`, id).Scan(&caseID); err == nil {
		c = &registry.Case{ID: caseID}
	}
	if err := tx.updatePerson(&registry.Registration{Person: *merged, Episodes: eps}, c, version); err != nil {
		return "", err
	}
	if c != nil {
		if err := tx.addEvent(org, registry.NewCaseEvent(c.ID, registry.EventPersonUpdated, "", tx.now, map[string]any{"fields": strings.Join(changed, ", ")})); err != nil {
			return "", err
		}
	}
	if err := tx.Audit("person.import_update", "person", id, org, map[string]any{"changed": changed, "line": row.Line}); err != nil {
		return "", err
	}
	return registry.ImportUpdated, nil
}

// createImported registers the rows at idx (new people, prepared as preps)
// as tx.register and an "imported" timeline event would, one by one, but
// with one multi-row statement per table: people, person_words, cases,
// person_keys, case_events and audit_events. Case numbers and audit events
// are taken in the rows' order, as one at a time.
//
// What needs no case number is written first (people, person_words,
// person_keys: most of the work), and what does after it (cases, case_events,
// audit_events), so that on PostgreSQL the series' case number counter and
// the organisation's audit chain head, taken with the first number and held
// until the commit, are held for the second part only: a registration
// waits for that, not for the whole chunk (see pgImportChunk).
func (tx *Tx) createImported(rows []*registry.ImportRow, preps []*importPrep, idx []int, org, country string) error {
	n := len(idx)
	people := make([]any, 0, n*16)
	words := make([]any, 0, n*3)
	var keys [][3]string // kind, value, person
	actor := actorID(tx.actor)
	for _, i := range idx {
		ip := preps[i]
		p, pp := &ip.reg.Person, ip.pp
		people = append(people, p.ID, p.OrgID, p.ExternalID, p.GivenName, p.FamilyName, p.FullNameNative, string(p.Sex), p.DateOfBirth.String(), p.Address.AdminArea,
			pp.person, pp.sealKey, pp.episodes, 1, actor, tx.now, tx.now)
		w, s := searchWords(pp.keys)
		words = append(words, p.ID, w, s)
		for _, k := range pp.keys {
			keys = append(keys, [3]string{k[0], k[1], p.ID})
		}
	}
	// The keys go in in the order of the lookup index (org_id, kind,
	// value, person_id), so that consecutive inserts touch the same or
	// neighbouring pages of the index (the people's own order scatters
	// them over its whole width).
	slices.SortFunc(keys, func(a, b [3]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]), strings.Compare(a[2], b[2]))
	})
	keyVals := make([]any, 0, 4*len(keys))
	for _, k := range keys {
		keyVals = append(keyVals, org, k[0], k[1], k[2])
	}
	err := tx.writeRows("people", `id, org_id, external_id, given_name, family_name, full_name_native, sex, date_of_birth, admin_area, person, seal_key, episodes, version, created_by, created_at, updated_at`, people)
	if isUniqueViolation(err) {
		return homeward.FieldErrorf("person.external_id", "registry.external_id.taken", "Another person of your organisation has this external ID.")
	} else if err != nil {
		return err
	}
	if err := tx.writeTables([]tableRows{
		{"person_words", `person_id, words, sounds`, words},
		{"person_keys", `org_id, kind, value, person_id`, keyVals},
	}); err != nil {
		return err
	}

	cases := make([]any, 0, n*17)
	events := make([]any, 0, n*2*7)
	audits := make([]any, 0, n*13)
	var assigned any
	if tx.actor != nil && tx.actor.HasRole(homeward.RoleCaseWorker) {
		assigned = tx.actor.UserID
	}
	for _, i := range idx {
		ip := preps[i]
		p, pp := &ip.reg.Person, ip.pp
		number, err := tx.nextCaseNumber(p.OrgID, country)
		if err != nil {
			return err
		}
		caseID := homeward.NewID()
		cases = append(cases, caseID, number, p.OrgID, p.ID, assigned, string(registry.StatusRegistered), string(registry.PriorityNormal), "[]", false,
			pp.returnDate, pp.returnType, pp.dest, pp.districtOf, string(p.Sex), tx.now, 1, tx.now)
		for _, ev := range []registry.TimelineEvent{
			registry.NewCaseEvent(caseID, registry.EventCaseOpened, "", tx.now, map[string]any{"number": number}),
			registry.NewCaseEvent(caseID, registry.EventImported, "", tx.now, map[string]any{"line": rows[i].Line}),
		} {
			v, err := tx.eventValues(org, ev)
			if err != nil {
				return err
			}
			events = append(events, v...)
		}
		e, err := sealAudit(tx, "person.register", "person", p.ID, p.OrgID, map[string]any{"case_id": caseID})
		if err != nil {
			return err
		}
		audits = append(audits, auditValues(e)...)
	}
	return tx.writeTables([]tableRows{
		{"cases", `id, number, org_id, person_id, assigned_to, status, priority, vulnerabilities, incomplete, return_date, return_type, destination_country, district, sex, opened_at, version, updated_at`, cases},
		{"case_events", `id, case_id, org_id, kind, at, actor_id, event`, events},
		{"audit_events", auditColumnsIn, audits},
	})
}

// tableRows are rows for writeRows: a table, its columns (comma-separated)
// and their values, a row per column count.
type tableRows struct {
	table, columns string
	vals           []any
}

// writeTables writes each table's rows in turn.
func (tx *Tx) writeTables(ts []tableRows) error {
	for _, t := range ts {
		if err := tx.writeRows(t.table, t.columns, t.vals); err != nil {
			return err
		}
	}
	return nil
}

// writeRows inserts vals into table's columns (comma-separated), a row
// per len(columns) values: with COPY where the transaction can
// (copyRows), else with multi-row INSERT statements (insertMany).
func (tx *Tx) writeRows(table, columns string, vals []any) error {
	cols := strings.Split(columns, ", ")
	if len(vals) == 0 {
		return nil
	}
	if ok, err := tx.copyRows(table, cols, vals); ok {
		return err
	}
	return tx.insertMany(`INSERT INTO `+table+` (`+columns+`)`, len(cols), vals)
}

// copyRows writes vals, width values to a row, to table's columns with
// PostgreSQL's COPY when the transaction has its connection (transactConn);
// it reports false, having done nothing, otherwise.
func (tx *Tx) copyRows(table string, columns []string, vals []any) (bool, error) {
	if tx.conn == nil || tx.db.dialect != postgres {
		return false, nil
	}
	width := len(columns)
	n := len(vals) / width
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: not a pgx connection (%T)", table, dc)
		}
		_, err := c.Conn().CopyFrom(tx.ctx, pgx.Identifier{table}, columns, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return vals[i*width : (i+1)*width], nil
		}))
		return err
	})
	return true, err
}

// insertSizes are the row counts of the multi-row INSERT statements
// insertMany runs: a batch is written as statements of these sizes, largest
// first, so that a table has a few statement texts, each prepared once
// and reused (see Tx.stmt), whatever the batches' lengths. The largest
// stays far under SQLite's 32,766 variables (64 rows of the widest row
// written, 17 columns, are 1,088).
var insertSizes = []int{64, 16, 4, 1}

// insertMany runs head ("INSERT INTO t (a, b, …)") with VALUES for vals,
// width values to a row, in statements of insertSizes rows.
func (tx *Tx) insertMany(head string, width int, vals []any) error {
	if len(vals)%width != 0 {
		panic("insertMany: values are not whole rows")
	}
	for _, size := range insertSizes {
		if len(vals) < size*width {
			continue
		}
		q := insertStatement(head, width, size)
		for len(vals) >= size*width {
			if _, err := tx.Exec(q, vals[:size*width]...); err != nil {
				return err
			}
			vals = vals[size*width:]
		}
	}
	return nil
}

// insertStatements caches the statements insertStatement builds.
var insertStatements sync.Map // [head, width, rows] → string

// insertStatement returns head with VALUES for rows rows of width values
// each, as ? placeholders.
func insertStatement(head string, width, rows int) string {
	type key struct {
		head        string
		width, rows int
	}
	k := key{head, width, rows}
	if q, ok := insertStatements.Load(k); ok {
		return q.(string)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	insertStatements.Store(k, q)
	return q
}
