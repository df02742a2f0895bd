package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"

	"homeward"
	homecountry "homeward/internal/country"
	"homeward/internal/referral"
)

// instanceCountry returns the country whose pack the instance serves:
// DB.Country, else the operator organisation's, else country.Default.
// row runs a one-row query: a transaction's (Tx.QueryRow) or the read
// pool's.
func (db *DB) instanceCountry(row func(query string, args ...any) *sql.Row) (string, error) {
	code, _, err := db.instanceCountryKnown(row)
	return code, err
}

// instanceCountryKnown is instanceCountry, and whether the country is
// known: chosen with serve --country or given by the operator
// organisation. Until then the default country stands in, but nothing
// that must follow the country may be stored from it.
func (db *DB) instanceCountryKnown(row func(query string, args ...any) *sql.Row) (string, bool, error) {
	code, known := db.Country, db.Country != ""
	if code == "" {
		err := row(`SELECT country FROM organisations WHERE operator = ? ORDER BY created_at LIMIT 1`, true).Scan(&code)
		if err != nil && err != errNoRows {
			return "", false, err
		}
		known = err == nil
	}
	if p := homecountry.Lookup(code); p != nil {
		return p.Code, known, nil
	}
	return homecountry.Default, known, nil
}

// holidayChanges reads the holiday changes of country through query (a
// transaction's Tx.Query or the read pool's).
func holidayChanges(query func(query string, args ...any) (*sql.Rows, error), country string) ([]homecountry.HolidayChange, error) {
	rows, err := query(`SELECT day, removed, names FROM holiday_changes WHERE country = ? ORDER BY day`, country)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []homecountry.HolidayChange{}
	for rows.Next() {
		var c homecountry.HolidayChange
		var names string
		if err := rows.Scan(&c.Date, &c.Removed, &names); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(names), &c.Names); err != nil {
			return nil, err
		}
		if len(c.Names) == 0 {
			c.Names = nil
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// workCalendar returns the working days of country's pack (its weekend
// and holidays, with the instance's changes to them), or nil (calendar
// days) for a country without a pack.
func (tx *Tx) workCalendar(country string) (referral.Calendar, error) {
	p := homecountry.Lookup(country)
	if p == nil {
		return nil, nil
	}
	changes, err := holidayChanges(tx.Query, p.Code)
	if err != nil {
		return nil, err
	}
	return p.Calendar(changes), nil
}

// Holidays returns the instance's country and its changes to the pack's
// holidays, to anyone signed in (they decide referral deadlines).
func (db *DB) Holidays(ctx context.Context) (string, []homecountry.HolidayChange, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActProviderRead, homeward.Resource{Type: "holiday"}); err != nil {
		return "", nil, err
	}
	// Read from the read pool: a page view needs no turn of the writer.
	country, err := db.instanceCountry(func(q string, args ...any) *sql.Row { return db.queryRow(ctx, q, args...) })
	if err != nil {
		return "", nil, err
	}
	changes, err := holidayChanges(func(q string, args ...any) (*sql.Rows, error) { return db.query(ctx, q, args...) }, country)
	return country, changes, err
}

// PutHolidayChange adds a day off to the instance's holidays, or removes
// one of its pack's (operator administrators; audited). It replaces an
// earlier change of the same day.
func (db *DB) PutHolidayChange(ctx context.Context, c *homecountry.HolidayChange) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActHolidayManage, homeward.Resource{Type: "holiday"}); err != nil {
		return err
	}
	if err := c.Check(func(field, format string, args ...any) error {
		return homeward.FieldErrorf(field, "holiday.invalid."+field, format, args...)
	}); err != nil {
		return err
	}
	if c.Removed {
		c.Names = nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		country, err := db.instanceCountry(tx.QueryRow)
		if err != nil {
			return err
		}
		inPack := homecountry.Lookup(country).IsHoliday(c.Date)
		switch {
		case c.Removed && !inPack:
			return homeward.FieldErrorf("date", "holiday.not_in_pack", "%s is not one of %s's public holidays.", c.Date, country)
		case !c.Removed && inPack:
			return homeward.FieldErrorf("date", "holiday.in_pack", "%s is already one of %s's public holidays.", c.Date, country)
		}
		names, _ := json.Marshal(c.Names)
		if c.Names == nil {
			names = []byte("{}")
		}
		if _, err := tx.Exec(`INSERT INTO holiday_changes (country, day, removed, names, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (country, day) DO UPDATE SET removed = excluded.removed, names = excluded.names, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
			country, c.Date, c.Removed, string(names), actorID(actor), tx.now); err != nil {
			return err
		}
		return tx.Audit("holiday.put", "holiday", country+":"+c.Date, actorOrg(actor), map[string]any{"removed": c.Removed, "names": c.Names})
	})
}

// DeleteHolidayChange undoes the instance's change of day: the pack's
// list applies to it again (operator administrators; audited).
func (db *DB) DeleteHolidayChange(ctx context.Context, day string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActHolidayManage, homeward.Resource{Type: "holiday"}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		country, err := db.instanceCountry(tx.QueryRow)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM holiday_changes WHERE country = ? AND day = ?`, country, day)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return homeward.Errorf(homeward.ENOTFOUND, "holiday.no_change", "No change was made to %s.", day)
		}
		return tx.Audit("holiday.delete", "holiday", country+":"+day, actorOrg(actor), nil)
	})
}
