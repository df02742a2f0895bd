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
	where.WriteString(`c.org_id = ? AND p.merged_into IS NULL AND c.merged_into IS NULL` + notErased)
	args := []any{org}
	add := func(cond string, a ...any) {
		where.WriteString(" AND " + cond)
		args = append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if strings.IndexFunc(q, unicode.IsDigit) >= 0 {
			// Phones and documents are found by their blind indexes.
			bk, err := db.readKeys(ctx)
			if err != nil {
				return "", nil, err
			}
			doc := ""
			if bk != nil {
				doc = bk.blind(kindBlindDoc, registry.NormalizeDocumentNumber(q))
			}
			keys := []any{org, strings.ToUpper(q), org, q, org, kindBlindDoc, doc}
			// A case number finds its person's cases (after a merge, the
			// kept person's: the absorbed one's cases moved to them).
			cond := `(p.id IN (SELECT person_id FROM cases WHERE org_id = ? AND number = ?) OR p.id IN (` + externalHolders + `)
				OR p.id IN (SELECT person_id FROM person_keys WHERE org_id = ? AND ((kind = ? AND value = ?)`
			// A local number ("01712…") is read in the organisation's own
			// country, as it was when the number was registered.
			country, err := db.orgCountry(ctx, org)
			if err != nil {
				return "", nil, err
			}
			if ph, err := registry.ParsePhone(q, country); err == nil && bk != nil {
				cond += ` OR (kind = ? AND value = ?)`
				keys = append(keys, kindBlindPhone, bk.blind(kindBlindPhone, ph))
			}
			add(cond+`)))`, keys...)
		} else {
			toks := strings.Fields(registry.NameKey(q))
			if len(toks) == 0 {
				return "", nil, homeward.FieldErrorf("q", "registry.search.empty", "Type a name, phone number, ID or case number.")
			}
			for _, t := range toks {
				// A token matches a name word it begins, or one that sounds alike.
				ph := match.SoundKey(t)
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
	rows, err := db.query(ctx, `SELECT `+summaryColumns+` FROM cases c JOIN people p ON p.id = c.person_id WHERE c.org_id = ? AND p.merged_into IS NULL AND c.merged_into IS NULL`+notErased+cond+` ORDER BY c.id DESC LIMIT ?`, args...)
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
	keys, err := db.readKeys(ctx)
	if err != nil {
		return err
	}
	// An export may lag the primary a little: it reads the replica, if any.
	rows, err := db.queryLagging(ctx, `SELECT p.person, p.episodes, `+caseColumns+` FROM cases c JOIN people p ON p.id = c.person_id WHERE `+where+` ORDER BY c.id`, args...)
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
		if err := db.openPerson(ctx, keys, pj, c.PersonID, rec.Person); err != nil {
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
