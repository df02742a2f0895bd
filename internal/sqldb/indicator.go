package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/indicator"
	"homeward/internal/reference"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// RebuildIndicators recomputes defs from the records: each source is read
// once, streamed through an aggregator, and each indicator's cells replace
// its old ones in a transaction of its own (so the writer is held a short
// while at a time, and a reader sees an indicator's old or new values,
// never half). The records themselves stay where they are.
func (db *DB) RebuildIndicators(ctx context.Context, defs []*indicator.Definition) (*indicator.RebuildReport, error) {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActIndicatorRebuild, homeward.Resource{Type: "indicator"}); err != nil {
		return nil, err
	}
	start := time.Now()
	rep := &indicator.RebuildReport{}
	bySource := map[string][]*indicator.Definition{}
	var sources []string
	for _, d := range defs {
		if bySource[d.Source] == nil {
			sources = append(sources, d.Source)
		}
		bySource[d.Source] = append(bySource[d.Source], d)
	}
	// The programmes of every case, read once: a few bytes an enrolment.
	programmes, err := db.caseProgrammes(ctx)
	if err != nil {
		return nil, err
	}
	for _, src := range sources {
		agg := indicator.NewAggregator(bySource[src], db.zone())
		n, err := db.indicatorRecords(ctx, src, programmes, agg.Add)
		if err != nil {
			return nil, err
		}
		rep.Records += n
		computed := db.Now()
		// The cells come indicator by indicator (in code order): each
		// indicator's are stored when the next one's begin, so that one
		// indicator's rows are held at a time, not the source's.
		byCode := map[string]*indicator.Definition{}
		for _, d := range bySource[src] {
			byCode[d.Code] = d
		}
		var mine []*indicator.Cell
		store := func(d *indicator.Definition) error {
			w, err := db.storeIndicator(ctx, d, mine, n, computed)
			if err != nil {
				return err
			}
			rep.Written += w
			delete(byCode, d.Code)
			rep.Indicators++
			rep.Cells += len(mine)
			mine = mine[:0]
			return nil
		}
		if err := agg.EachCell(func(c *indicator.Cell) error {
			if len(mine) > 0 && mine[0].Code != c.Code {
				if err := store(byCode[mine[0].Code]); err != nil {
					return err
				}
			}
			mine = append(mine, c)
			return nil
		}); err != nil {
			return nil, err
		}
		if len(mine) > 0 {
			if err := store(byCode[mine[0].Code]); err != nil {
				return nil, err
			}
		}
		for _, d := range bySource[src] {
			if byCode[d.Code] != nil { // no cells: its old ones go
				if err := store(d); err != nil {
					return nil, err
				}
			}
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// indicatorColumns are the columns of indicator_values a rebuild writes.
const indicatorColumns = "code, by_fields, period, org_id, by_values, numerator, denominator, spread"

// storeIndicator replaces d's cells with cells, in one transaction, and
// returns how many rows it wrote (inserted, updated or deleted). Most of a
// scheduled rebuild's cells are those already stored, so it reads the
// stored ones first and writes only the difference; when most rows
// differ (a first build, a new version), it deletes them all and writes
// the new ones with COPY on PostgreSQL and prepared multi-row statements
// on SQLite (Tx.writeRows).
func (db *DB) storeIndicator(ctx context.Context, d *indicator.Definition, cells []*indicator.Cell, records int, at time.Time) (int, error) {
	// Pages read before the commit are kept under the runs they read,
	// which change with it; forgetting them after it also covers a
	// rebuild at the same instant.
	defer db.pages.forget()
	written := 0
	err := db.bulkTransact()(ctx, func(tx *Tx) error {
		written = 0
		old, err := storedCells(tx, d.Code)
		if err != nil {
			return err
		}
		stored := len(old)
		var fresh, changed []*indicator.Cell
		for _, c := range cells {
			k := cellKey(c.ByFields, c.Period, c.OrgID, c.ByValues)
			o, ok := old[k]
			switch {
			case !ok:
				fresh = append(fresh, c)
			case o != storedCell{c.Numerator, c.Denominator, indicator.EncodeSpread(c.Spread)}:
				changed = append(changed, c)
			}
			delete(old, k)
		}
		if n := len(changed) + len(old); n > rewriteAbove && n >= len(cells)/4 {
			// Many rows and mostly new: every row is rewritten.
			if _, err := tx.Exec(`DELETE FROM indicator_values WHERE code = ?`, d.Code); err != nil {
				return err
			}
			written = stored + len(cells)
			fresh = cells
		} else {
			const key = `code = ? AND by_fields = ? AND period = ? AND org_id = ? AND by_values = ?`
			for _, c := range changed {
				if _, err := tx.Exec(`UPDATE indicator_values SET numerator = ?, denominator = ?, spread = ? WHERE `+key,
					c.Numerator, c.Denominator, indicator.EncodeSpread(c.Spread), d.Code, c.ByFields, c.Period, c.OrgID, c.ByValues); err != nil {
					return err
				}
			}
			for k := range old {
				f := strings.SplitN(k, "\x00", 4)
				if _, err := tx.Exec(`DELETE FROM indicator_values WHERE `+key, d.Code, f[0], f[1], f[2], f[3]); err != nil {
					return err
				}
			}
			written = len(fresh) + len(changed) + len(old)
		}
		vals := make([]any, 0, 8*len(fresh))
		for _, c := range fresh {
			vals = append(vals, c.Code, c.ByFields, c.Period, c.OrgID, c.ByValues, c.Numerator, c.Denominator, indicator.EncodeSpread(c.Spread))
		}
		if err := tx.writeRows("indicator_values", indicatorColumns, vals); err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO indicator_runs (code, version, computed_at, records, cells) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET version = excluded.version, computed_at = excluded.computed_at, records = excluded.records, cells = excluded.cells`,
			d.Code, d.Version, at, records, len(cells))
		return err
	})
	return written, err
}

// rewriteAbove is how many rows may differ, at most, before a rebuild
// rewrites an indicator's rows whole (when a quarter of them differ too):
// a row updated or deleted alone costs a few written in bulk.
var rewriteAbove = 1000

// storedCell is a stored cell's figures.
type storedCell struct {
	num, den float64
	spread   string
}

// cellKey joins a cell's key within its indicator (the fields have no NUL).
func cellKey(fields, period, org, values string) string {
	return fields + "\x00" + period + "\x00" + org + "\x00" + values
}

// storedCells reads code's stored cells, by cellKey.
func storedCells(tx *Tx, code string) (map[string]storedCell, error) {
	rows, err := tx.Query(`SELECT by_fields, period, org_id, by_values, numerator, denominator, spread FROM indicator_values WHERE code = ?`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]storedCell{}
	for rows.Next() {
		var fields, period, org, values string
		var c storedCell
		if err := rows.Scan(&fields, &period, &org, &values, &c.num, &c.den, &c.spread); err != nil {
			return nil, err
		}
		out[cellKey(fields, period, org, values)] = c
	}
	return out, rows.Err()
}

// jsonText returns the SQL that reads the text at key of the JSON column
// col (a top-level key).
func (d dialect) jsonText(col, key string) string {
	if d == postgres {
		return `((` + col + `)::jsonb ->> '` + key + `')`
	}
	return `json_extract(` + col + `, '$.` + key + `')`
}

// joinText returns the SQL aggregate that joins the non-null texts of expr
// with commas (NULL when there are none).
func (d dialect) joinText(expr string) string {
	if d == postgres {
		return `string_agg(` + expr + `, ',')`
	}
	return `group_concat(` + expr + `, ',')`
}

// indicatorRecords streams the records of source to fn, with the case's
// and person's disaggregations (programmes are each case's, from
// caseProgrammes), and returns how many there were.
func (db *DB) indicatorRecords(ctx context.Context, source string, programmes map[string][]string, fn func(*indicator.Record)) (int, error) {
	loc := db.zone()
	const dims = `c.sex, c.district, c.destination_country, c.return_type, p.date_of_birth, c.id, p.admin_area`
	upazilas := map[string]string{} // admin area → its upazila, or ""
	open := db.opener(ctx)
	var q string
	switch source {
	case "cases":
		q = `SELECT c.org_id, ` + dims + `, c.opened_at, c.return_date, c.status, o.type,
			(SELECT MIN(pl.created_at) FROM plans pl WHERE pl.case_id = c.id)
			FROM cases c JOIN people p ON p.id = c.person_id JOIN organisations o ON o.id = c.org_id
			WHERE c.merged_into IS NULL`
	case "referrals":
		q = `SELECT c.org_id, ` + dims + `, r.sent_at, r.updated_at, r.state, r.service_type, r.referral, r.id
			FROM referrals r JOIN cases c ON c.id = r.case_id JOIN people p ON p.id = c.person_id`
	case "surveys":
		q = `SELECT a.org_id, ` + dims + `, a.answered_on, a.round, COALESCE(` + db.dialect.jsonText("a.answers", "income_source") + `, ''), COALESCE(a.score, '')
			FROM assessments a JOIN cases c ON c.id = a.case_id JOIN people p ON p.id = c.person_id
			WHERE a.status = 'completed' AND a.form_id = 'rss'`
	case "grants":
		q = `SELECT c.org_id, ` + dims + `, d.delivery
			FROM service_deliveries d JOIN referrals r ON r.id = d.referral_id JOIN cases c ON c.id = r.case_id JOIN people p ON p.id = c.person_id
			WHERE d.kind = 'grant'`
	case "certificates":
		q = `SELECT c.org_id, ` + dims + `, k.issued_at, k.standard, CASE WHEN k.revoked_at IS NULL THEN 'active' ELSE 'revoked' END
			FROM credentials k JOIN cases c ON c.id = k.case_id JOIN people p ON p.id = c.person_id`
	default:
		return 0, homeward.Errorf(homeward.EINVALID, "indicator.source", "%q is not a source of indicators.", source)
	}
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(q))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	// One record, refilled for each row: fn keeps nothing of it.
	r := &indicator.Record{Dates: map[string]time.Time{}, Fields: map[string]string{}, Numbers: map[string]*float64{}, Multi: map[string][]string{}}
	for rows.Next() {
		clear(r.Dates)
		clear(r.Fields)
		clear(r.Numbers)
		var sex, district, dest, rtype, dob, caseID, area string
		dst := []any{&r.OrgID, &sex, &district, &dest, &rtype, &dob, &caseID, &area}
		// birth year, for the age group at each record's month
		var opened, sent, updated time.Time
		var returned, status, orgType, answered, round, income, score, state, service, delivery, ref, refID string
		var firstPlan *time.Time
		var issued time.Time
		var standard, certStatus string
		switch source {
		case "cases":
			dst = append(dst, dbTime{&opened}, &returned, &status, &orgType, dbNullTime{&firstPlan})
		case "referrals":
			dst = append(dst, dbTime{&sent}, dbTime{&updated}, &state, &service, &ref, &refID)
		case "surveys":
			dst = append(dst, &answered, &round, &income, &score)
		case "grants":
			dst = append(dst, &delivery)
		case "certificates":
			dst = append(dst, dbTime{&issued}, &standard, &certStatus)
		}
		if err := rows.Scan(dst...); err != nil {
			return n, err
		}
		r.Fields["sex"], r.Fields["district"], r.Fields["destination"], r.Fields["return_type"] = sex, district, dest, rtype
		up, ok := upazilas[area]
		if !ok {
			if a := reference.Area(area); a != nil && a.Level == "upazila" {
				up = a.Code
			}
			upazilas[area] = up
		}
		r.Fields["upazila"] = up
		r.Multi["programme"] = programmes[caseID]
		born := 0
		if len(dob) >= 4 {
			born, _ = strconv.Atoi(dob[:4])
		}
		emit := func(at time.Time) {
			if !at.IsZero() {
				r.Fields["age_group"] = indicator.AgeGroup(born, at.In(loc).Year())
			}
			n++
			fn(r)
		}
		switch source {
		case "cases":
			r.Dates["opened"] = opened
			ret := dateIn(returned, loc)
			r.Dates["returned"] = ret
			r.Fields["status"], r.Fields["org_type"] = status, orgType
			r.Fields["plan_30d"] = "no"
			if firstPlan != nil && !ret.IsZero() && firstPlan.Before(ret.AddDate(0, 0, 31)) {
				r.Fields["plan_30d"] = "yes"
			}
			emit(opened)
		case "referrals":
			r.Dates["sent"], r.Dates["updated"] = sent, updated
			r.Fields["state"], r.Fields["service_type"] = state, service
			r.Fields["responded"] = "no"
			if slices.Contains([]string{"accepted", "declined", "in_progress", "completed", "not_completed"}, state) {
				r.Fields["responded"] = "yes"
			}
			// The response is the first step out of "sent" to accepted or
			// declined; its days from sending make the median.
			var h struct {
				History []referral.Step `json:"history"`
			}
			// The referral is sealed (it holds the fields shared).
			js, err := open(ref, referralAD(refID))
			if err != nil {
				return n, fmt.Errorf("referral %s: %w", refID, err)
			}
			if json.Unmarshal([]byte(js), &h) == nil {
				for _, st := range h.History {
					if st.From == referral.StateSent && (st.To == referral.StateAccepted || st.To == referral.StateDeclined) {
						days := max(st.At.Sub(sent).Hours()/24, 0)
						r.Dates["responded"], r.Numbers["days_to_response"] = st.At, &days
						break
					}
				}
			}
			emit(sent)
		case "surveys":
			at := dateIn(answered, loc)
			r.Dates["answered"] = at
			r.Fields["round"], r.Fields["income_source"] = round, income
			r.Fields["scored"] = "no"
			if score != "" {
				var res scoring.Result
				if json.Unmarshal([]byte(score), &res) == nil {
					r.Numbers["composite"] = res.Composite
					for _, dim := range []string{"economic", "social", "psychosocial"} {
						r.Numbers[dim] = res.Dimensions[dim]
					}
					if res.Composite != nil {
						r.Fields["scored"] = "yes"
					}
				}
			}
			emit(at)
		case "certificates":
			r.Dates["issued"] = issued
			r.Fields["standard"], r.Fields["status"] = standard, certStatus
			emit(issued)
		case "grants":
			// One record per tranche paid.
			var dv referral.Delivery
			if json.Unmarshal([]byte(delivery), &dv) != nil || dv.Grant == nil {
				continue
			}
			r.Fields["channel"] = string(dv.Grant.Channel)
			for _, t := range dv.Grant.Tranches {
				if t.DisbursedAt == nil {
					continue
				}
				amt := float64(t.Amount)
				r.Dates["disbursed"] = *t.DisbursedAt
				r.Numbers["amount"] = &amt
				emit(*t.DisbursedAt)
			}
		}
	}
	return n, rows.Err()
}

// dateIn reads a stored registry date (a bare year or month is its first
// day) as midnight in loc; "" or nonsense is the zero time.
func dateIn(s string, loc *time.Location) time.Time {
	d, err := registry.ParseDate(s)
	if err != nil || d.IsZero() {
		return time.Time{}
	}
	e := d.Earliest()
	return time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, loc)
}

// IndicatorSeries reads d's precomputed values for q: the reader's own
// organisation, or, for the operator's watchers, every organisation (or
// the one q names). Broken-down rows of fewer than indicator.K people are
// suppressed.
func (db *DB) IndicatorSeries(ctx context.Context, d *indicator.Definition, q indicator.Query) (*indicator.Series, error) {
	out, err := db.IndicatorPage(ctx, []indicator.Request{{Def: d, Query: q}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// IndicatorPage reads several series at once (a dashboard page) in two
// statements: when each was computed, and the values of them all. Each
// request's Query names its own breakdown; the period, the organisation
// and whether the period is read as one are those of the first request.
func (db *DB) IndicatorPage(ctx context.Context, reqs []indicator.Request) ([]*indicator.Series, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	q0 := reqs[0].Query
	actor := homeward.ActorFromContext(ctx)
	org := q0.OrgID
	if org == "" && !actor.Operator && !actor.System {
		org = actorOrg(actor)
	}
	if err := homeward.Authorize(actor, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: org}); err != nil {
		return nil, err
	}
	out := make([]*indicator.Series, len(reqs))
	byCode := map[string]int{}
	// fields are the cells' disaggregations read for each request: its
	// breakdown and the fields it is narrowed by (a district, an upazila,
	// a programme).
	fields := make([][]string, len(reqs))
	narrow := q0.Narrowing()
	var codes []any
	var want []string
	var args []any
	for i, rq := range reqs {
		by := rq.Query.By
		if by == nil {
			by = []string{}
		}
		out[i] = &indicator.Series{Code: rq.Def.Code, Version: rq.Def.Version, Unit: rq.Def.Unit, From: q0.From, To: q0.To, By: by, Rows: []indicator.Row{},
			District: q0.District, Upazila: q0.Upazila, Programme: q0.Programme}
		byCode[rq.Def.Code] = i
		codes = append(codes, rq.Def.Code)
		fields[i] = by
		if len(narrow) == 0 {
			want = append(want, `(code = ? AND by_fields = ?)`)
			args = append(args, rq.Def.Code, strings.Join(by, ","))
			continue
		}
		f := slices.Clone(by)
		kept := true
		for field := range narrow {
			kept = kept && slices.Contains(rq.Def.By, field)
			if !slices.Contains(f, field) {
				f = append(f, field)
			}
		}
		if !kept {
			continue // not kept by a field it is narrowed by: no rows
		}
		if len(f) > indicator.MaxBy {
			return nil, homeward.FieldErrorf("by", "indicator.by_narrowed", "A figure is kept by two fields at most: with a district, an upazila or a programme chosen, break it down by fewer fields.")
		}
		slices.Sort(f)
		fields[i] = f
		// The narrowed values' places among the cell's values
		// ("BD3026|female"): exact when every field is narrowed.
		exact, parts, pattern := true, make([]string, len(f)), make([]string, len(f))
		for j, field := range f {
			if v, ok := narrow[field]; ok {
				parts[j], pattern[j] = v, escapeLike(v)
			} else {
				exact, pattern[j] = false, "%"
			}
		}
		if exact {
			want = append(want, `(code = ? AND by_fields = ? AND by_values = ?)`)
			args = append(args, rq.Def.Code, strings.Join(f, ","), strings.Join(parts, "|"))
		} else {
			want = append(want, `(code = ? AND by_fields = ? AND by_values LIKE ? ESCAPE '\')`)
			args = append(args, rq.Def.Code, strings.Join(f, ","), strings.Join(pattern, "|"))
		}
	}
	if len(want) == 0 {
		return out, nil // nothing kept by the fields narrowed by
	}
	// Aggregates recomputed on a schedule tolerate a replica's lag.
	runs, err := db.queryLagging(ctx, `SELECT code, computed_at, version, records, cells FROM indicator_runs WHERE code IN `+inList(len(codes)), codes...)
	if err != nil {
		return nil, err
	}
	// The runs, and what each request makes of the rows, key the page in
	// the cache (see pageCache).
	var page strings.Builder
	fmt.Fprintf(&page, "%s|%s|%s|%s|%s|%t", q0.From, q0.To, q0.District, q0.Upazila, q0.Programme, q0.Whole)
	for runs.Next() {
		var code string
		var at time.Time
		var version, records, cells int64
		if err := runs.Scan(&code, dbTime{&at}, &version, &records, &cells); err != nil {
			runs.Close()
			return nil, err
		}
		if i, ok := byCode[code]; ok {
			out[i].ComputedAt = &at
		}
		fmt.Fprintf(&page, "|%s@%d.%d.%d.%d", code, at.UnixNano(), version, records, cells)
	}
	runs.Close()
	if err := runs.Err(); err != nil {
		return nil, err
	}
	for _, rq := range reqs {
		fmt.Fprintf(&page, "|%s.%d.%s.%s", rq.Def.Code, rq.Def.Version, rq.Def.Unit, strings.Join(rq.Query.By, ","))
	}
	cond := `(` + strings.Join(want, ` OR `) + `) AND period >= ? AND period <= ?`
	args = append(args, string(q0.From), string(q0.To))
	if org != "" {
		cond += ` AND org_id = ?`
		args = append(args, org)
	}
	period, group := "period", "code, period, by_values"
	if q0.Whole {
		period, group = "MIN(period)", "code, by_values"
	}
	stmt := `SELECT code, ` + period + `, by_values, SUM(numerator), SUM(denominator), ` + db.dialect.joinText("NULLIF(spread, '')") + ` FROM indicator_values WHERE ` + cond + `
		GROUP BY ` + group + ` ORDER BY ` + group
	key := db.pages.key(stmt, args, page.String())
	kept, done, err := db.pages.wait(ctx, key)
	if kept != nil || err != nil {
		return kept, err
	}
	var read []*indicator.Series
	defer func() { done(read) }() // whatever happens, the waiters go on
	if err := db.readIndicatorRows(ctx, stmt, args, reqs, out, byCode, fields, narrow); err != nil {
		return nil, err
	}
	read = out
	return out, nil
}

// readIndicatorRows runs a page's statement and makes its rows into the
// series out (see IndicatorPage).
func (db *DB) readIndicatorRows(ctx context.Context, stmt string, args []any, reqs []indicator.Request, out []*indicator.Series, byCode map[string]int, fields [][]string, narrow map[string]string) error {
	q0 := reqs[0].Query
	rows, err := db.queryLagging(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code, period, values string
		var num, den float64
		var spread sql.NullString
		if err := rows.Scan(&code, &period, &values, &num, &den, &spread); err != nil {
			return err
		}
		i, ok := byCode[code]
		if !ok || out[i].ComputedAt == nil {
			continue
		}
		s := out[i]
		if q0.Whole {
			period = string(q0.From) + ".." + string(q0.To)
		}
		r := reqs[i].Def.MakeRow(period, fields[i], values, num, den, spread.String)
		if len(narrow) > 0 {
			for field := range narrow {
				if !slices.Contains(s.By, field) {
					delete(r.By, field)
				}
			}
			if len(r.By) == 0 {
				r.By = nil
			}
		}
		if r.Suppressed {
			s.Suppressed++
		}
		s.Rows = append(s.Rows, r)
	}
	return rows.Err()
}

// IndicatorStatus returns when each indicator was last computed.
func (db *DB) IndicatorStatus(ctx context.Context) (map[string]time.Time, error) {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActIndicatorRead, homeward.Resource{Type: "indicator"}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT code, computed_at FROM indicator_runs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var code string
		var at time.Time
		if err := rows.Scan(&code, dbTime{&at}); err != nil {
			return nil, err
		}
		out[code] = at
	}
	return out, rows.Err()
}
