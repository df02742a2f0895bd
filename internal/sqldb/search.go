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

// searchStreamCap bounds the keys of a pair's range a search reads for
// the exact matches of its first pages.
var searchStreamCap = 2000

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
	sampled  bool       // cand is part of a longer range: the count is a lower bound
	quick    *searchSQL // the same on the driver's newest exact keys alone, or nil
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
	limit := pageLimit(f.Limit)
	// filled says whether a quick search's page (and the result after it)
	// holds exact matches only: then it is the page the whole search would
	// give, at a fraction of the work.
	filled := func(ranks []int) bool { return len(ranks) > limit && ranks[limit] == 0 }
	var s *searchSQL
	if q.Identifier != "" {
		s, err = db.identifierSearch(ctx, org, q.Identifier)
	} else {
		// Two words or more: the rarest pair of them first.
		var pair *namePair
		if pair, err = db.pairProbe(ctx, org, q.Tokens); err != nil {
			return nil, err
		}
		if pair != nil && pair.n > max(limit, searchDriveCap) && afterRank == 0 {
			// Unless a rare word drives the search better ("isalm",
			// a typo, in "rafiqul isalm").
			ts := nameTokens(q.Tokens)
			rare := false
			for i := range ts {
				if err := db.probeToken(ctx, org, &ts[i], searchDriveCap); err != nil {
					return nil, err
				}
				rare = rare || ts[i].complete(searchDriveCap)
			}
			if !rare {
				if r, err := db.pairStream(ctx, org, q.Tokens, pair, f, fp, afterID, limit); err != nil || r != nil {
					return r, err
				}
			}
		}
		s, err = db.nameSearch(ctx, org, q.Tokens, pair)
	}
	if err != nil {
		return nil, err
	}
	// A common driver is first read in its newest exact keys alone.
	if s.quick != nil {
		r, ranks, err := db.runSearch(ctx, s.quick, org, f, fp, afterRank, afterID, limit)
		if err != nil || filled(ranks) {
			return r, err
		}
	}
	r, _, err := db.runSearch(ctx, s, org, f, fp, afterRank, afterID, limit)
	return r, err
}

// runSearch runs a search's statement: a page of limit results after the
// cursor's (afterRank, afterID), with the rank of each result and of the
// one after the page when there is one.
func (db *DB) runSearch(ctx context.Context, s *searchSQL, org string, f registry.SearchFilter, fp string, afterRank int, afterID string, limit int) (*registry.SearchResult, []int, error) {
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
		return nil, nil, err
	}
	var ranks []int
	total := 0
	out, err := scanSummaries(rows, func() []any {
		ranks = append(ranks, 0)
		return []any{&ranks[len(ranks)-1], &total}
	})
	if err != nil {
		return nil, nil, err
	}
	r := &registry.SearchResult{Items: out, Counted: counted}
	if counted {
		r.Total, r.More = min(total, registry.SearchCountCap), total > registry.SearchCountCap || s.sampled
	}
	if len(out) > limit {
		r.Items = out[:limit]
		r.Next = strconv.Itoa(ranks[limit-1]) + "." + out[limit-1].CaseID + "." + fp
	}
	return r, ranks, nil
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

// externalHolders selects, as person_id, who holds an external id of an
// organisation (its two arguments): the person it was registered with or,
// when that person was merged away, the end of their chain of merges. The
// people_external index answers it (no search key is stored for it: the
// people row holds the id already); a merged-away person keeps their
// external id, as their other keys travel on to the kept person.
const externalHolders = `SELECT id AS person_id FROM (WITH RECURSIVE h(id, next) AS (
		SELECT id, merged_into FROM people WHERE org_id = ? AND external_id = ? AND external_id <> ''
		UNION ALL SELECT m.id, m.merged_into FROM h JOIN people m ON m.id = h.next)
	SELECT id FROM h WHERE next IS NULL) holders`

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
	// Phones and documents are found by their blind indexes (without
	// keys there are none to find).
	keys, err := db.readKeys(ctx)
	if err != nil {
		return nil, err
	}
	if d := registry.NormalizeDocumentNumber(id); d != "" && keys != nil {
		key(kindBlindDoc, keys.blind(kindBlindDoc, d))
	}
	parts = append(parts, externalHolders)
	s.candArgs = append(s.candArgs, org, id)
	// A local number ("01712…") is read in the organisation's own country,
	// as it was when the number was registered.
	country, err := db.orgCountry(ctx, org)
	if err != nil {
		return nil, err
	}
	if ph, err := registry.ParsePhone(id, country); err == nil && keys != nil {
		key(kindBlindPhone, keys.blind(kindBlindPhone, ph))
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

// countKeys counts person_keys of org matching cond up to limit (and one
// more, when there are more), remembering the count a while (keyCounts).
func (db *DB) countKeys(ctx context.Context, org string, limit int, cond string, args ...any) (int, error) {
	return db.countIn(ctx, "", "COUNT(*)", "1", org, limit, cond, args...)
}

// countPeople counts the people among the first limit+1 person_keys of
// org matching cond: a person may hold several keys of one range (a
// "pair" range holds a key for each two words that sound alike, an alias's
// and the name's), so this is what a count of people shown to a user may
// rest on. It is exact when the range holds at most limit keys, a lower
// bound otherwise.
func (db *DB) countPeople(ctx context.Context, org string, limit int, cond string, args ...any) (int, error) {
	// Unlike a count of keys, a count of people at one limit says nothing
	// of another: the limit is part of what is remembered.
	return db.countIn(ctx, "people "+strconv.Itoa(limit), "COUNT(DISTINCT person_id)", "person_id", org, limit, cond, args...)
}

// countIn runs a bounded count, count over the first limit+1 keys' col,
// remembered in keyCounts under what, cond and its last argument.
func (db *DB) countIn(ctx context.Context, what, count, col, org string, limit int, cond string, args ...any) (int, error) {
	key := org + "\x00" + what + "\x00" + cond + "\x00" + args[len(args)-1].(string)
	now := db.Now()
	if n, ok := db.keyCounts.get(key, limit, now); ok {
		return n, nil
	}
	var n int
	rows, err := db.searchQueryRows(ctx, `SELECT `+count+` FROM (SELECT `+col+` FROM person_keys WHERE org_id = ? AND `+cond+` LIMIT ?) n`,
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

// namePair is the rarest pair of a query's tokens (see soundPairs): the
// range of the keys that sound like them [lo, hi), the key of the two
// words exactly, and the range's count up to a search's sample.
type namePair struct {
	lo, hi, exact string
	n             int
}

// complete says whether the pair's range was counted to its end.
func (p *namePair) complete() bool { return p != nil && p.n <= searchDriveCap*searchSampleFactor }

// pairProbe counts the "pair" keys that sound like every two of a query's
// tokens up to the sample a search reads and returns the rarest; nil for
// one token.
func (db *DB) pairProbe(ctx context.Context, org string, toks []string) (*namePair, error) {
	var best *namePair
	for i, a := range toks {
		for j := i + 1; j < len(toks); j++ {
			lo, hi := soundPairRange(a, toks[j])
			n, err := db.countKeys(ctx, org, searchDriveCap*searchSampleFactor, `kind = 'pair' AND value >= ? AND value < ?`, lo, hi)
			if err != nil {
				return nil, err
			}
			if best == nil || n < best.n {
				best = &namePair{lo: lo, hi: hi, exact: pairKey(a, toks[j]), n: n}
			}
			if n == 0 {
				return best, nil
			}
		}
	}
	return best, nil
}

// tokenChecks returns the SQL that checks a query's tokens on a
// candidate's person_words row w, read by its primary key: cond, for each
// token but those skip names, a word the token begins (" tok" in words)
// or one that sounds alike (" sound " in sounds; see searchWords); and
// rank, 0 when every token is a whole word, else 1.
func tokenChecks(ts []nameToken, skip func(i int) bool) (cond string, condArgs []any, rank string, rankArgs []any) {
	for i := range ts {
		t := &ts[i]
		if skip(i) {
			continue
		}
		cond += ` AND (w.words LIKE ? ESCAPE '\'`
		condArgs = append(condArgs, "% "+escapeLike(t.tok)+"%")
		if t.phon != "" {
			cond += ` OR w.sounds LIKE ? ESCAPE '\'`
			condArgs = append(condArgs, "% "+escapeLike(t.phon)+" %")
		}
		cond += `)`
	}
	var b strings.Builder
	b.WriteString(`CASE WHEN `)
	for i := range ts {
		if i > 0 {
			b.WriteString(` AND `)
		}
		b.WriteString(`w.words LIKE ? ESCAPE '\'`)
		rankArgs = append(rankArgs, "% "+escapeLike(ts[i].tok)+" %")
	}
	b.WriteString(` THEN 0 ELSE 1 END`)
	return cond, condArgs, b.String(), rankArgs
}

// nameTokens returns a query's tokens with their sound keys, not counted.
func nameTokens(toks []string) []nameToken {
	ts := make([]nameToken, len(toks))
	for i, t := range toks {
		ts[i].tok = t
		if ph := match.SoundKey(t); ph != t && len(ph) >= 2 {
			ts[i].phon = ph
		}
	}
	return ts
}

// pairStream reads the key of the rarest pair's two words exactly,
// newest first, and stops at the page's exact matches and the one after:
// every exact match has that key, and a person's live case is made with
// the person (ids in time order), so these are the first exact matches of
// the whole search, and the cursor's order. It reads at most
// searchStreamCap people (every one a match when the query has two words;
// a person holds the key once more for each merge that lent it, and is
// read once) and returns nil when they hold too few exact matches to fill
// the page.
// The count is a lower bound: for two words, the people whose name sounds
// like both (each a match, exact or not; see countPeople).
func (db *DB) pairStream(ctx context.Context, org string, toks []string, pair *namePair, f registry.SearchFilter, fp, afterID string, limit int) (*registry.SearchResult, error) {
	_, _, rank, rankArgs := tokenChecks(nameTokens(toks), func(int) bool { return true })
	filters, filterArgs := caseFilters(f)
	args := append([]any{org, pair.exact, searchStreamCap}, rankArgs...)
	args = append(append(args, org), filterArgs...)
	if afterID != "" {
		filters += ` AND c.id < ?`
		args = append(args, afterID)
	}
	args = append(args, limit+1)
	rows, err := db.searchQueryRows(ctx, `SELECT `+summaryColumns+`
		FROM (SELECT c.id AS case_id
			FROM (SELECT DISTINCT person_id FROM person_keys WHERE org_id = ? AND kind = 'pair' AND value = ? ORDER BY person_id DESC LIMIT ?) k
			CROSS JOIN person_words w`+db.dialect.personCases("w.person_id")+`
			WHERE w.person_id = k.person_id AND (`+rank+`) = 0 AND c.person_id = w.person_id AND c.org_id = ? AND c.merged_into IS NULL`+filters+`
			LIMIT ?) hits
		CROSS JOIN cases c CROSS JOIN people p
		WHERE c.id = hits.case_id AND p.id = c.person_id AND p.merged_into IS NULL
		ORDER BY c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	out, err := scanSummaries(rows, func() []any { return nil })
	if err != nil || len(out) <= limit {
		return nil, err
	}
	r := &registry.SearchResult{Items: out[:limit], Counted: afterID == "", More: true, Next: "0." + out[limit-1].CaseID + "." + fp}
	if r.Counted {
		r.Total = limit
		if len(toks) == 2 {
			// Each person whose name sounds like the two words is a match;
			// the count shown stops at SearchCountCap.
			n, err := db.countPeople(ctx, org, registry.SearchCountCap, `kind = 'pair' AND value >= ? AND value < ?`, pair.lo, pair.hi)
			if err != nil {
				return nil, err
			}
			r.Total = min(max(n, limit), registry.SearchCountCap)
		}
	}
	return r, nil
}

// probeToken counts a token's name keys (the word and longer ones it
// begins) and sound keys up to limit.
func (db *DB) probeToken(ctx context.Context, org string, nt *nameToken, limit int) (err error) {
	if nt.nName, err = db.countKeys(ctx, org, limit, `kind = 'name' AND value >= ? AND value < ?`, nt.tok, nt.tok+"\uffff"); err != nil || nt.phon == "" {
		return err
	}
	nt.nPhon, err = db.countKeys(ctx, org, limit, `kind = 'phon' AND value = ?`, nt.phon)
	return err
}

// nameSearch reads the rarest token's keys and checks the others: a token
// matches a name word it begins or one that sounds alike. With pair
// counted to its end, the pair's range replaces most of the driver's.
func (db *DB) nameSearch(ctx context.Context, org string, toks []string, pair *namePair) (*searchSQL, error) {
	probe := func(nt *nameToken, limit int) error { return db.probeToken(ctx, org, nt, limit) }
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
	ts := nameTokens(toks)
	for i := range ts {
		if err := probe(&ts[i], searchDriveCap); err != nil {
			return nil, err
		}
	}
	limit := searchDriveCap
	drive := pick(ts, limit)
	paired := pair.complete()
	// Every token common, and no pair to read: count further, to tell
	// "rafiqul" from "islam" (a few thousand keys each, read only from the
	// index), and read the smaller whole when it fits, since the others
	// filter it.
	sample, fuzzy := searchDriveCap, searchDriveCap
	if len(ts) > 1 && !paired {
		sample, fuzzy = searchDriveCap*searchSampleFactor, searchDriveCap*searchFuzzyFactor
		if !drive.complete(limit) {
			limit = sample
			for i := range ts {
				if err := probe(&ts[i], limit); err != nil {
					return nil, err
				}
			}
			drive = pick(ts, limit)
		}
	}
	s := &searchSQL{}
	// The driving token's ranges; one longer than the cap is read in part,
	// the newest people first.
	var parts []string
	part := func(sql string, args ...any) {
		parts = append(parts, `SELECT person_id FROM (`+sql+`) s`+strconv.Itoa(len(parts)))
		s.candArgs = append(s.candArgs, args...)
	}
	switch {
	case drive.nName <= limit:
		part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value >= ? AND value < ?`, org, drive.tok, drive.tok+"\uffff")
	case paired:
		// Every name that sounds like two of the words, from the pair's
		// range: the exact matches and their other spellings ("tania
		// hoque" for "tania haque"); a short part of the rest, longer
		// words the driver begins and its sound-alikes.
		s.sampled = true
		part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'pair' AND value >= ? AND value < ?`, org, pair.lo, pair.hi)
		fuzzy = searchDriveCap / 2
		part(`SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value > ? AND value < ? LIMIT ?`, org, drive.tok, drive.tok+"\uffff", fuzzy)
	default:
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
	s.cond, s.condArgs, s.rank, s.rankArgs = tokenChecks(ts, func(i int) bool { return &ts[i] == drive })
	// One common word: first its newest exact keys alone.
	if s.sampled && drive.nName > limit && len(ts) == 1 {
		s.quick = &searchSQL{sampled: true, cand: `SELECT person_id FROM (SELECT person_id FROM person_keys WHERE org_id = ? AND kind = 'name' AND value = ? ORDER BY person_id DESC LIMIT ?) q`,
			candArgs: []any{org, drive.tok, searchDriveCap}}
		s.quick.cond, s.quick.condArgs, s.quick.rank, s.quick.rankArgs = s.cond, s.condArgs, s.rank, s.rankArgs
	}
	return s, nil
}
