package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/match"
	"homeward/internal/registry"
)

// searchDriveCap bounds the search keys a query reads from one index range:
// a name token's range is counted up to it to choose the rarest token, and a
// range longer than it is read only in part (the newest people with the
// exact word or sound, and the first of the longer words it begins).
var searchDriveCap = 200

// searchSampleFactor times searchDriveCap is how many keys of a common
// token a query of several tokens reads (the newest people first).
var searchSampleFactor = 8

// searchFuzzyFactor times searchDriveCap is how many keys of a common
// token's longer words and sound-alikes such a query reads: they rank after
// the exact matches.
var searchFuzzyFactor = 2

// searchSQL is a query turned into SQL: cand lists candidate person ids
// from index ranges (a UNION); cond (" AND …", or "") checks the rest of
// the query on each candidate's row p; rank is 0 for an exact match and 1
// otherwise.
type searchSQL struct {
	cand     string
	candArgs []any
	cond     string
	condArgs []any
	rank     string
	rankArgs []any
	sampled  bool // cand is part of a longer range: the count is a lower bound
}

// searchQuery answers a query from index ranges, never by walking the
// organisation: an identifier looks each kind up by equality (case number,
// document, external id, phone); names read the rarest token's keys (counted
// by a bounded probe, so "md", "islam" or "begum" never drive) and check the
// other tokens person by person. Results come exact matches first, then
// newest case first, a page at a time behind a keyset cursor that names
// its search.
func (db *DB) searchQuery(ctx context.Context, org string, q registry.Query, f registry.SearchFilter) (*registry.SearchResult, error) {
	fp := f.Fingerprint(q)
	afterRank, afterID, err := parseSearchCursor(f.After, fp)
	if err != nil {
		return nil, err
	}
	var s *searchSQL
	if q.Identifier != "" {
		s, err = db.identifierSearch(ctx, org, q.Identifier)
	} else {
		s, err = db.nameSearch(ctx, org, q.Tokens)
	}
	if err != nil {
		return nil, err
	}
	filters, filterArgs := caseFilters(f)
	where := `w.person_id = cand.person_id` + s.cond + ` AND c.person_id = w.person_id AND c.org_id = ? AND c.merged_into IS NULL` + filters
	args := append(append(append([]any{}, s.rankArgs...), s.candArgs...), s.condArgs...)
	args = append(append(args, org), filterArgs...)
	counted := f.After == ""
	count := `0`
	if counted {
		count = `COUNT(*) OVER ()`
	} else {
		where += ` AND ((` + s.rank + `) > ? OR ((` + s.rank + `) = ? AND c.id < ?))`
		args = append(args, s.rankArgs...)
		args = append(args, afterRank)
		args = append(args, s.rankArgs...)
		args = append(args, afterRank, afterID)
	}
	limit := pageLimit(f.Limit)
	args = append(args, limit+1)
	// The candidates, checked and ranked on their short person_words rows,
	// and their cases found, counted and ordered from the cases_person
	// index alone (without filters); only the page's people and cases are
	// then read whole. A merged-away person has no cases left.
	rows, err := db.searchQueryRows(ctx, `SELECT `+summaryColumns+`, hits.rnk, hits.total
		FROM (SELECT c.id AS case_id, `+s.rank+` AS rnk, `+count+` AS total
			FROM (`+s.cand+`) cand CROSS JOIN person_words w`+db.dialect.personCases("w.person_id")+`
			WHERE `+where+` ORDER BY rnk, c.id DESC LIMIT ?) hits
		CROSS JOIN cases c CROSS JOIN people p
		WHERE c.id = hits.case_id AND p.id = c.person_id AND p.merged_into IS NULL
		ORDER BY hits.rnk, c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	var ranks []int
	total := 0
	out, err := scanSummaries(rows, func() []any {
		ranks = append(ranks, 0)
		return []any{&ranks[len(ranks)-1], &total}
	})
	if err != nil {
		return nil, err
	}
	r := &registry.SearchResult{Items: out, Counted: counted}
	if counted {
		r.Total, r.More = min(total, registry.SearchCountCap), total > registry.SearchCountCap || s.sampled
	}
	if len(out) > limit {
		r.Items = out[:limit]
		r.Next = strconv.Itoa(ranks[limit-1]) + "." + out[limit-1].CaseID + "." + fp
	}
	return r, nil
}

// searchQueryRows runs one of a search's statements (see searchTrace).
func (db *DB) searchQueryRows(ctx context.Context, stmt string, args ...any) (*sql.Rows, error) {
	if db.searchTrace != nil {
		db.searchTrace(stmt, append([]any(nil), args...))
	}
	return db.query(ctx, stmt, args...)
}

// parseSearchCursor reads a query's page cursor, "rank.caseID.fingerprint";
// a cursor of another search is refused.
func parseSearchCursor(s, fp string) (int, string, error) {
	if s == "" {
		return 0, "", nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || (parts[0] != "0" && parts[0] != "1") || !homeward.ValidID(parts[1]) {
		return 0, "", homeward.FieldErrorf("cursor", "error.cursor", "The page cursor is not valid.")
	}
	if parts[2] != fp {
		return 0, "", homeward.FieldErrorf("cursor", "search.cursor_other", "This page link belongs to another search. Search again.")
	}
	return int(parts[0][0] - '0'), parts[1], nil
}

// identifierSearch looks a string with digits up as a case number (the
// cases table's unique index; after a merge the case belongs to the kept
// person), a document number, an external id and a phone number read in
// the organisation's country, each by equality.
func (db *DB) identifierSearch(ctx context.Context, org, id string) (*searchSQL, error) {
	s := &searchSQL{rank: "0"}
	parts := []string{`SELECT person_id FROM cases WHERE number = ? AND org_id = ?`}
	s.candArgs = []any{strings.ToUpper(id), org}
	key := func(kind, v string) {
		parts = append(parts, `SELECT person_id FROM person_keys WHERE org_id = ? AND kind = '`+kind+`' AND value = ?`)
		s.candArgs = append(s.candArgs, org, v)
	}
	if d := registry.NormalizeDocumentNumber(id); d != "" {
		key("doc", d)
	}
	key("external", id)
	// A local number ("01712…") is read in the organisation's own country,
	// as it was when the number was registered.
	country, err := db.orgCountry(ctx, org)
	if err != nil {
		return nil, err
	}
	if ph, err := registry.ParsePhone(id, country); err == nil {
		key("phone", ph)
	}
	s.cand = strings.Join(parts, " UNION ")
	return s, nil
}

// nameToken is one name token of a query with the sizes of its ranges,
// counted up to a limit (and one more, when there are more).
type nameToken struct {
	tok, phon    string // phon is "" when the token has no sound key of its own
	nName, nPhon int
}

// complete says whether the token's ranges were counted to their end.
func (t *nameToken) complete(limit int) bool { return t.nName <= limit && t.nPhon <= limit }

// nameSearch reads the rarest token's keys and checks the others: a token
// matches a name word it begins or one that sounds alike.
func (db *DB) nameSearch(ctx context.Context, org string, toks []string) (*searchSQL, error) {
	cnt := func(limit int, cond string, args ...any) (int, error) {
		key := org + "\x00" + cond + "\x00" + args[len(args)-1].(string)
		now := db.Now()
		if n, ok := db.keyCounts.get(key, limit, now); ok {
			return n, nil
		}
		var n int
		rows, err := db.searchQueryRows(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM person_keys WHERE org_id = ? AND `+cond+` LIMIT ?) n`,
			append(append([]any{org}, args...), limit+1)...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		if rows.Next() {
			err = rows.Scan(&n)
		} else if err = rows.Err(); err == nil {
			err = errNoRows
		}
		if err == nil {
			db.keyCounts.put(key, n, limit, now)
		}
		return n, err
	}
	probe := func(nt *nameToken, limit int) (err error) {
		if nt.nName, err = cnt(limit, `kind = 'name' AND value >= ? AND value < ?`, nt.tok, nt.tok+"\uffff"); err != nil || nt.phon == "" {
			return err
		}
		nt.nPhon, err = cnt(limit, `kind = 'phon' AND value = ?`, nt.phon)
		return err
	}
	// The driver is the token with the fewest keys among those counted
	// to the end (any token when none was).
	pick := func(ts []nameToken, limit int) *nameToken {
		var best *nameToken
		for i := range ts {
			t := &ts[i]
			if best == nil || best.complete(limit) == t.complete(limit) && t.nName+t.nPhon < best.nName+best.nPhon || !best.complete(limit) && t.complete(limit) {
				best = t
			}
		}
		return best
	}
	ts := make([]nameToken, len(toks))
	for i, t := range toks {
		ts[i].tok = t
		if ph := match.Phonetic(t); ph != t && len(ph) >= 2 {
			ts[i].phon = ph
		}
		if err := probe(&ts[i], searchDriveCap); err != nil {
			return nil, err
		}
	}
	limit := searchDriveCap
	drive := pick(ts, limit)
	// Every token common: count further, to tell "rafiqul" from "islam"
	// (a few thousand keys each, read only from the index), and read the
	// smaller whole when it fits, since the others filter it.
	sample := searchDriveCap
	if len(ts) > 1 {
		sample *= searchSampleFactor
	}
	if !drive.complete(limit) && len(ts) > 1 {
		limit = sample
		for i := range ts {
			if err := probe(&ts[i], limit); err != nil {
				return nil, err
			}
		}
		drive = pick(ts, limit)
	}
	fuzzy := sample
	if len(ts) > 1 {
		fuzzy = searchDriveCap * searchFuzzyFactor
	}
	s := &searchSQL{}
	// The driving token's ranges; one longer than the cap is read in part,
	// the newest people first.
	var parts []string
	part := func(sql string, args ...any) {
		parts = append(parts, `SELECT person_id FROM (`+sql+`) s`+strconv.Itoa(len(parts)))
		s.candArgs = append(s.candArgs, args...)
	}
	if drive.nName <= limit {
		part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value >= ? AND value < ?`, org, drive.tok, drive.tok+"\uffff")
	} else {
		s.sampled = true
		part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value = ? ORDER BY person_id DESC LIMIT ?`, org, drive.tok, sample)
		// The longer words it begins and (below) the words that sound
		// alike rank after exact matches: fewer of them are read.
		part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value > ? AND value < ? LIMIT ?`, org, drive.tok, drive.tok+"\uffff", fuzzy)
	}
	if drive.phon != "" {
		if drive.nPhon <= limit {
			part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'phon' AND value = ?`, org, drive.phon)
		} else {
			s.sampled = true
			part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'phon' AND value = ? ORDER BY person_id DESC LIMIT ?`, org, drive.phon, fuzzy)
		}
	}
	s.cand = strings.Join(parts, " UNION ")
	// Every other token is checked on the candidate's row, read by its
	// primary key: a word it begins (" tok" in search_words) or one that
	// sounds alike (" sound " in search_sounds); see searchWords.
	for i := range ts {
		t := &ts[i]
		if t == drive {
			continue
		}
		s.cond += ` AND (w.words LIKE ? ESCAPE '\'`
		s.condArgs = append(s.condArgs, "% "+escapeLike(t.tok)+"%")
		if t.phon != "" {
			s.cond += ` OR w.sounds LIKE ? ESCAPE '\'`
			s.condArgs = append(s.condArgs, "% "+escapeLike(t.phon)+" %")
		}
		s.cond += `)`
	}
	// Exact: every token is a whole name word of the person.
	var rank strings.Builder
	rank.WriteString(`CASE WHEN `)
	for i, t := range toks {
		if i > 0 {
			rank.WriteString(` AND `)
		}
		rank.WriteString(`w.words LIKE ? ESCAPE '\'`)
		s.rankArgs = append(s.rankArgs, "% "+escapeLike(t)+" %")
	}
	rank.WriteString(` THEN 0 ELSE 1 END`)
	s.rank = rank.String()
	return s, nil
}
