package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"homeward"
	"homeward/internal/match"
	"homeward/internal/registry"
)

const summaryColumns = `p.id, p.given_name, p.family_name, p.full_name_native, p.sex, p.date_of_birth, c.id, c.number, c.status, c.priority,
	c.district, c.return_date, c.return_type, c.destination_country, COALESCE(c.assigned_to, ''), c.incomplete`

// exportWhere builds the conditions of an export over cases c joined with
// people p, scoped to org. The query string is read as an identifier (case
// number, phone, document, external id) when it holds a digit, otherwise as
// name tokens that must all match (as a word or a word's beginning). An
// export reads everything that matches, so it may walk the organisation's
// cases; searches go through searchQuery instead.
func (db *DB) exportWhere(ctx context.Context, org string, f registry.SearchFilter) (string, []any, error) {
	var where strings.Builder
	where.WriteString(`c.org_id = ? AND p.merged_into IS NULL AND c.merged_into IS NULL`)
	args := []any{org}
	add := func(cond string, a ...any) {
		where.WriteString(" AND " + cond)
		args = append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if strings.IndexFunc(q, unicode.IsDigit) >= 0 {
			keys := []any{org, strings.ToUpper(q), org, registry.NormalizeDocumentNumber(q), q}
			// A case number finds its person's cases (after a merge, the
			// kept person's: the absorbed one's cases moved to them).
			cond := `(p.id IN (SELECT person_id FROM cases WHERE org_id = ? AND number = ?) OR p.id IN (SELECT person_id FROM person_keys WHERE org_id = ? AND (
				(kind = 'doc' AND value = ?) OR (kind = 'external' AND value = ?)`
			// A local number ("01712…") is read in the organisation's own
			// country, as it was when the number was registered.
			country, err := db.orgCountry(ctx, org)
			if err != nil {
				return "", nil, err
			}
			if ph, err := registry.ParsePhone(q, country); err == nil {
				cond += ` OR (kind = 'phone' AND value = ?)`
				keys = append(keys, ph)
			}
			add(cond+`)))`, keys...)
		} else {
			toks := strings.Fields(registry.NameKey(q))
			if len(toks) == 0 {
				return "", nil, homeward.FieldErrorf("q", "registry.search.empty", "Type a name, phone number, ID or case number.")
			}
			for _, t := range toks {
				// A token matches a name word it begins, or one that sounds alike.
				ph := match.Phonetic(t)
				if ph == t || len(ph) < 2 {
					add(`p.id IN (SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value >= ? AND value < ?)`, org, t, t+"\uffff")
					continue
				}
				add(`p.id IN (SELECT person_id FROM person_keys WHERE org_id = ? AND ((kind = 'name' AND value >= ? AND value < ?) OR (kind = 'phon' AND value = ?)))`, org, t, t+"\uffff", ph)
			}
		}
	}
	cond, a := caseFilters(f)
	where.WriteString(cond)
	return where.String(), append(args, a...), nil
}

// caseFilters returns the conditions (each starting with " AND ") of the
// filters that narrow a search or export by the case c.
func caseFilters(f registry.SearchFilter) (string, []any) {
	var where strings.Builder
	var args []any
	add := func(cond string, a ...any) {
		where.WriteString(" AND " + cond)
		args = append(args, a...)
	}
	if f.District != "" {
		add(`c.district LIKE ? ESCAPE '\'`, escapeLike(strings.ToUpper(f.District))+"%")
	}
	if f.Status != "" {
		add(`c.status = ?`, string(f.Status))
	}
	if f.Sex != "" {
		add(`c.sex = ?`, string(f.Sex))
	}
	if f.ReturnType != "" {
		add(`c.return_type = ?`, string(f.ReturnType))
	}
	if f.AssignedTo != "" {
		add(`c.assigned_to = ?`, f.AssignedTo)
	}
	return where.String(), args
}

// Search lists the cases of the actor's organisation that match f (see
// SearchPage), with the cursor of the next page.
func (db *DB) Search(ctx context.Context, f registry.SearchFilter) ([]registry.Summary, string, error) {
	r, err := db.SearchPage(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return r.Items, r.Next, nil
}

// SearchPage lists the cases of the actor's organisation that match f and,
// on a query's first page, counts them (see search.go for how a query is
// answered from index ranges). Nobody searches across organisations.
func (db *DB) SearchPage(ctx context.Context, f registry.SearchFilter) (*registry.SearchResult, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "person", OrgID: org}); err != nil {
		return nil, err
	}
	q, err := registry.ParseQuery(f.Query)
	if err != nil {
		return nil, err
	}
	if q.Identifier == "" && len(q.Tokens) == 0 {
		return db.listCases(ctx, org, f)
	}
	res, err := db.searchQuery(ctx, org, q, f)
	if err != nil || len(res.Items) == 0 || actor == nil || actor.System {
		return res, err
	}
	// A search that returns people is an audited read: who searched, how
	// many were found, and which (not the words typed).
	ids := make([]string, len(res.Items))
	for i, it := range res.Items {
		ids[i] = it.PersonID
	}
	if err := db.RecordRead(ctx, homeward.RecordRead{Action: "person.search", RecordType: "person", OrgID: org,
		Detail: map[string]any{"results": len(ids), "people": ids}}); err != nil {
		return nil, err
	}
	return res, nil
}

// listCases lists the organisation's cases that pass f's filters, newest
// first (no query: the list page before anything is typed).
func (db *DB) listCases(ctx context.Context, org string, f registry.SearchFilter) (*registry.SearchResult, error) {
	if err := checkIDCursor(f.After); err != nil {
		return nil, err
	}
	cond, args := caseFilters(f)
	args = append([]any{org}, args...)
	if f.After != "" {
		cond += ` AND c.id < ?`
		args = append(args, f.After)
	}
	limit := pageLimit(f.Limit)
	args = append(args, limit+1)
	rows, err := db.query(ctx, `SELECT `+summaryColumns+` FROM cases c JOIN people p ON p.id = c.person_id WHERE c.org_id = ? AND p.merged_into IS NULL AND c.merged_into IS NULL`+cond+` ORDER BY c.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	out, err := scanSummaries(rows, nil)
	if err != nil {
		return nil, err
	}
	r := &registry.SearchResult{Items: out}
	if len(out) > limit {
		r.Items = out[:limit]
		r.Next = out[limit-1].CaseID
	}
	return r, nil
}

// scanSummaries reads search rows; extra receives the columns after the
// summary's, row by row, when set.
func scanSummaries(rows *sql.Rows, extra func() []any) ([]registry.Summary, error) {
	defer rows.Close()
	out := []registry.Summary{}
	for rows.Next() {
		var s registry.Summary
		var given, family string
		dest := []any{&s.PersonID, &given, &family, &s.NativeName, &s.Sex, &s.DateOfBirth, &s.CaseID, &s.CaseNumber, &s.Status, &s.Priority,
			&s.District, &s.ReturnDate, &s.ReturnType, &s.DestinationCountry, &s.AssignedTo, &s.Incomplete}
		if extra != nil {
			dest = append(dest, extra()...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		s.Name = strings.TrimSpace(given + " " + family)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Export streams every record matching f (in the actor's organisation) to
// fn, and records the export in the audit log.
func (db *DB) Export(ctx context.Context, f registry.SearchFilter, fn func(*registry.ExportRecord) error) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActExport, homeward.Resource{Type: "person", OrgID: org}); err != nil {
		return err
	}
	where, args, err := db.exportWhere(ctx, org, f)
	if err != nil {
		return err
	}
	// Audit first: an export that fails half-way has still shown data.
	if err := db.Transact(ctx, func(tx *Tx) error {
		return tx.Audit("registry.export", "person", "", org, map[string]any{"query": f.Query != "", "district": f.District, "status": f.Status})
	}); err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT p.person, p.episodes, `+caseColumns+` FROM cases c JOIN people p ON p.id = c.person_id WHERE `+where+` ORDER BY c.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pj, ej string
		var rec registry.ExportRecord
		rec.Person = &registry.Person{}
		c := &registry.Case{}
		var vulns string
		var version int
		if err := rows.Scan(&pj, &ej, &c.ID, &c.Number, &c.OrgID, &c.PersonID, &c.AssignedTo, &c.Status, &c.ClosureReason, &c.Priority, &vulns, &c.Incomplete,
			dbTime{&c.OpenedAt}, dbNullTime{&c.ClosedAt}, &version); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(pj), rec.Person); err != nil {
			return err
		}
		var eps []registry.MigrationEpisode
		if err := json.Unmarshal([]byte(ej), &eps); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(vulns), &c.Vulnerabilities); err != nil {
			return fmt.Errorf("case %s: vulnerabilities: %w", c.ID, err)
		}
		rec.Episode = registry.LatestReturn(eps)
		rec.Case = c
		if err := fn(&rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

// importChunk is how many rows of an import one transaction writes: about
// 25 ms of the writer's time, so a registration queued behind it waits
// little (see TransactInTurn).
const importChunk = 100

// ImportRows stores valid rows of an import, importChunk rows to a
// transaction (a row is written whole or not at all): a new
// external_id registers the person with a new case; a known one updates the
// person when something changed and is left alone otherwise, so importing a
// file twice changes nothing.
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
	out := make([]registry.ImportOutcome, len(rows))
	for lo := 0; lo < len(rows); lo += importChunk {
		hi := min(lo+importChunk, len(rows))
		chunk := make([]registry.ImportOutcome, hi-lo)
		if err := db.TransactInTurn(ctx, func(tx *Tx) error { return db.importChunk(tx, rows[lo:hi], chunk, org, country) }); err != nil {
			// The chunks before are written: say so, and what they were.
			if lo > 0 {
				db.personChanged(org, "")
			}
			return out, err
		}
		copy(out[lo:], chunk)
	}
	db.personChanged(org, "")
	return out, nil
}

// importChunk is a transaction's share of ImportRows: rows, with their
// outcomes in out (left alone if the transaction fails).
func (db *DB) importChunk(tx *Tx, rows []*registry.ImportRow, out []registry.ImportOutcome, org, country string) error {
	for i, row := range rows {
		p := row.Person
		p.OrgID, p.ExternalID = org, row.ExternalID
		var id, pj, ej string
		var version int
		var mergedInto *string
		err := tx.QueryRow(`SELECT id, person, episodes, version, merged_into FROM people WHERE org_id = ? AND external_id = ? AND external_id <> ''`, org, row.ExternalID).Scan(&id, &pj, &ej, &version, &mergedInto)
		if err == nil && mergedInto != nil {
			// The record was merged into another person: its data lives
			// on there, and changing the absorbed copy would be lost on
			// the next unmerge. The report names the row for review.
			out[i] = registry.ImportMerged
			continue
		}
		if err == errNoRows {
			reg := &registry.Registration{Person: p, Episodes: []registry.MigrationEpisode{row.Episode}}
			rec, err := tx.register(reg, &registry.Case{}, country, nil)
			if err != nil {
				return err
			}
			if err := tx.addEvent(org, registry.NewCaseEvent(rec.Case.ID, registry.EventImported, "", tx.now, map[string]any{"line": row.Line})); err != nil {
				return err
			}
			out[i] = registry.ImportCreated
			continue
		} else if err != nil {
			return err
		}
		var old registry.Person
		var oldEps []registry.MigrationEpisode
		if err := json.Unmarshal([]byte(pj), &old); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(ej), &oldEps); err != nil {
			return err
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
			out[i] = registry.ImportUnchanged
			continue
		}
		var c *registry.Case
		var caseID string
		if err := tx.QueryRow(`SELECT id FROM cases WHERE person_id = ? ORDER BY opened_at DESC LIMIT 1`, id).Scan(&caseID); err == nil {
			c = &registry.Case{ID: caseID}
		}
		if err := tx.updatePerson(&registry.Registration{Person: *merged, Episodes: eps}, c, version); err != nil {
			return err
		}
		if c != nil {
			if err := tx.addEvent(org, registry.NewCaseEvent(c.ID, registry.EventPersonUpdated, "", tx.now, map[string]any{"fields": strings.Join(changed, ", ")})); err != nil {
				return err
			}
		}
		if err := tx.Audit("person.import_update", "person", id, org, map[string]any{"changed": changed, "line": row.Line}); err != nil {
			return err
		}
		out[i] = registry.ImportUpdated
	}
	return nil
}

// mergeImported overlays the fields an import file carries onto old.
func mergeImported(old, in *registry.Person) *registry.Person {
	m := *old
	m.GivenName, m.FamilyName, m.FullNameNative, m.Sex = in.GivenName, in.FamilyName, in.FullNameNative, in.Sex
	m.DateOfBirth, m.FatherName, m.MotherName, m.Address = in.DateOfBirth, in.FatherName, in.MotherName, in.Address
	if len(in.Phones) > 0 {
		m.Phones = in.Phones
	}
	// Documents by type: the file's national ID and passport replace the old
	// ones of the same type; other documents stay.
	docs := append([]registry.Document(nil), in.Documents...)
	for _, d := range old.Documents {
		kept := true
		for _, n := range in.Documents {
			if n.Type == d.Type {
				kept = false
			}
		}
		if kept {
			docs = append(docs, d)
		}
	}
	m.Documents = docs
	return &m
}

func mergeEpisode(old, in registry.MigrationEpisode) registry.MigrationEpisode {
	m := old
	m.DestinationCountry = in.DestinationCountry
	if in.OccupationAbroad != "" {
		m.OccupationAbroad = in.OccupationAbroad
	}
	if in.Return != nil {
		if m.Return == nil {
			m.Return = in.Return
		} else {
			r := *m.Return
			r.Date = in.Return.Date
			if in.Return.ReturnType != "" {
				r.ReturnType = in.Return.ReturnType
			}
			m.Return = &r
		}
	}
	return m
}
