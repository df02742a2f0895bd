package sqldb

import (
	"context"
	"time"

	"homeward"
	"homeward/internal/indicator"
	"homeward/internal/report"
)

// reportScope is the organisation whose reports the actor in ctx requests
// and reads: their own, or "" (every organisation) for the operator's
// watchers. It checks that they may read indicators at all.
func reportScope(ctx context.Context) (*homeward.Actor, string, error) {
	a := homeward.ActorFromContext(ctx)
	org := ""
	if a != nil && !a.Operator && !a.System {
		org = actorOrg(a)
	}
	if err := homeward.Authorize(a, homeward.ActIndicatorRead, homeward.Resource{Type: "indicator", OrgID: org}); err != nil {
		return a, "", err
	}
	return a, org, nil
}

// systemOnly refuses everyone but the system: the report builder's steps
// are background work, never a user's.
func systemOnly(ctx context.Context) error {
	if a := homeward.ActorFromContext(ctx); a == nil || !a.System {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	return nil
}

const reportCols = `id, org_id, requested_by, lang, period_from, period_to, scheduled, state, progress, error, size, pdf_size, requested_at, finished_at`

func scanReport(sc interface{ Scan(...any) error }) (*report.Report, error) {
	r := &report.Report{}
	var from, to string
	var scheduled int
	if err := sc.Scan(&r.ID, &r.OrgID, &r.RequestedBy, &r.Lang, &from, &to, &scheduled, &r.State, &r.Progress, &r.Error, &r.Size, &r.PDFSize,
		dbTime{&r.RequestedAt}, dbNullTime{&r.FinishedAt}); err != nil {
		return nil, err
	}
	r.From, r.To, r.Scheduled = indicator.Month(from), indicator.Month(to), scheduled == 1
	return r, nil
}

// RequestReport queues a donor report of the indicators from..to, in
// lang, for the actor's organisation (every organisation for the
// operator's watchers). The request is in the audit log.
func (db *DB) RequestReport(ctx context.Context, from, to indicator.Month, lang string) (*report.Report, error) {
	a, org, err := reportScope(ctx)
	if err != nil {
		return nil, err
	}
	if from > to {
		return nil, homeward.FieldErrorf("to", "indicator.range", "The period ends before it starts.")
	}
	if n := report.Months(from, to); n < 1 || n > report.MaxMonths {
		e := homeward.FieldErrorf("from", "report.too_long", "A report covers at most %d months.", report.MaxMonths)
		e.Args = map[string]any{"max": report.MaxMonths}
		return nil, e
	}
	r := &report.Report{ID: homeward.NewID(), OrgID: org, RequestedBy: a.UserID, Lang: lang, From: from, To: to, State: report.Queued}
	err = db.Transact(ctx, func(tx *Tx) error {
		r.RequestedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO reports (id, org_id, requested_by, lang, period_from, period_to, state, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, org, a.UserID, lang, string(from), string(to), report.Queued, tx.now); err != nil {
			return err
		}
		return tx.Audit("report.request", "report", r.ID, org, map[string]any{"from": from, "to": to})
	})
	return r, err
}

// Reports lists the actor's organisation's reports, newest first (at most
// 50).
func (db *DB) Reports(ctx context.Context) ([]*report.Report, error) {
	_, org, err := reportScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+reportCols+` FROM reports WHERE org_id = ? ORDER BY requested_at DESC, id DESC LIMIT 50`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*report.Report{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportFile returns a built report and its file in format (xlsx, or pdf
// when one was printed); another organisation's report is not found. The
// download is in the audit log.
func (db *DB) ReportFile(ctx context.Context, id, format string) (*report.Report, []byte, error) {
	_, org, err := reportScope(ctx)
	if err != nil {
		return nil, nil, err
	}
	col := map[string]string{"xlsx": "file", "pdf": "pdf"}[format]
	if col == "" {
		return nil, nil, homeward.FieldErrorf("format", "report.format", "A report downloads as xlsx or pdf.")
	}
	var file []byte
	var r *report.Report
	err = db.Transact(ctx, func(tx *Tx) error {
		var err error
		r, err = scanReport(tx.QueryRow(`SELECT `+reportCols+` FROM reports WHERE id = ? AND org_id = ? AND state = ?`, id, org, report.Done))
		if err != nil {
			return notFound(err)
		}
		if err := tx.QueryRow(`SELECT `+col+` FROM reports WHERE id = ?`, id).Scan(&file); err != nil {
			return err
		}
		if len(file) == 0 {
			return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
		}
		return tx.Audit("report.download", "report", id, org, map[string]any{"from": r.From, "to": r.To, "format": format})
	})
	if err != nil {
		return nil, nil, err
	}
	return r, file, nil
}

// SetReportSchedule turns the organisation's monthly report on (in lang)
// or off. The first scheduled report is next month's (of the month just
// ended then).
func (db *DB) SetReportSchedule(ctx context.Context, on bool, lang string) error {
	a, org, err := reportScope(ctx)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if !on {
			_, err := tx.Exec(`DELETE FROM report_schedules WHERE org_id = ?`, org)
			if err != nil {
				return err
			}
			return tx.Audit("report.schedule", "report", "", org, map[string]any{"monthly": false})
		}
		last := lastMonth(tx.now.In(tx.db.zone()))
		if _, err := tx.Exec(`INSERT INTO report_schedules (org_id, lang, created_by, last_period) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET lang = excluded.lang, created_by = excluded.created_by`, org, lang, a.UserID, last); err != nil {
			return err
		}
		return tx.Audit("report.schedule", "report", "", org, map[string]any{"monthly": true, "lang": lang})
	})
}

// ReportSchedule says whether the organisation has a monthly report.
func (db *DB) ReportSchedule(ctx context.Context) (bool, error) {
	_, org, err := reportScope(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = db.queryRow(ctx, `SELECT COUNT(*) FROM report_schedules WHERE org_id = ?`, org).Scan(&n)
	return n > 0, err
}

// lastMonth is the month before t's.
func lastMonth(t time.Time) string {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()).AddDate(0, -1, 0).Format("2006-01")
}

// QueueScheduledReports queues the month just ended (in the instance's
// time zone) for every schedule that has not had it; each once, however
// many servers ask.
func (db *DB) QueueScheduledReports(ctx context.Context) (int, error) {
	if err := systemOnly(ctx); err != nil {
		return 0, err
	}
	n := 0
	err := db.Transact(ctx, func(tx *Tx) error {
		month := lastMonth(tx.now.In(tx.db.zone()))
		rows, err := tx.Query(`SELECT org_id, lang, created_by FROM report_schedules WHERE last_period < ?`, month)
		if err != nil {
			return err
		}
		type due struct{ org, lang, by string }
		var todo []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.org, &d.lang, &d.by); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range todo {
			res, err := tx.Exec(`UPDATE report_schedules SET last_period = ? WHERE org_id = ? AND last_period < ?`, month, d.org, month)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				continue
			}
			if _, err := tx.Exec(`INSERT INTO reports (id, org_id, requested_by, lang, period_from, period_to, scheduled, state, requested_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
				homeward.NewID(), d.org, d.by, d.lang, month, month, report.Queued, tx.now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ClaimReport takes the oldest queued report, or one whose builder's
// lease ran out, for owner; nil when there is none.
func (db *DB) ClaimReport(ctx context.Context, owner string, lease time.Duration) (*report.Report, error) {
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	var out *report.Report
	err := db.Transact(ctx, func(tx *Tx) error {
		for range 3 {
			var id string
			err := tx.QueryRow(`SELECT id FROM reports WHERE state = ? OR (state = ? AND claimed_until < ?) ORDER BY requested_at, id LIMIT 1`,
				report.Queued, report.Running, tx.now).Scan(&id)
			if err == errNoRows {
				return nil
			}
			if err != nil {
				return err
			}
			res, err := tx.Exec(`UPDATE reports SET state = ?, claimed_by = ?, claimed_until = ?, progress = 0
				WHERE id = ? AND (state = ? OR (state = ? AND claimed_until < ?))`,
				report.Running, owner, tx.now.Add(lease), id, report.Queued, report.Running, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue // another server took it
			}
			out, err = scanReport(tx.QueryRow(`SELECT `+reportCols+` FROM reports WHERE id = ?`, id))
			return err
		}
		return nil
	})
	return out, err
}

// ReportProgress records how far owner's build of a report is, and
// renews the lease.
func (db *DB) ReportProgress(ctx context.Context, id, owner string, progress int) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE reports SET progress = ?, claimed_until = ? WHERE id = ? AND claimed_by = ? AND state = ?`,
			progress, tx.now.Add(report.Lease), id, owner, report.Running)
		return err
	})
}

// FinishReport stores owner's files of a report (the PDF may be nil), or
// why it failed.
func (db *DB) FinishReport(ctx context.Context, id, owner string, file, pdf []byte, failure string) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	state := report.Done
	if failure != "" {
		state, file, pdf = report.Failed, nil, nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE reports SET state = ?, progress = 100, file = ?, size = ?, pdf = ?, pdf_size = ?, error = ?, finished_at = ?, claimed_until = NULL
			WHERE id = ? AND claimed_by = ? AND state = ?`, state, file, len(file), pdf, len(pdf), failure, tx.now, id, owner, report.Running)
		return err
	})
}

// OrganisationName returns an organisation's name ("" when unknown), for
// documents made in the background.
func (db *DB) OrganisationName(ctx context.Context, id string) string {
	var name string
	_ = db.queryRow(ctx, `SELECT name FROM organisations WHERE id = ?`, id).Scan(&name)
	return name
}
