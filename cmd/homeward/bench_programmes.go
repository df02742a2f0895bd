package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"homeward"
	"homeward/internal/programme"
	"homeward/internal/sqldb"
)

// benchProgrammes gives the seeded organisation two programmes, RAISE and
// SKILL, and enrolls its open cases through the service (audit and
// timeline included): three in ten in RAISE, one in ten in SKILL, chosen
// by a hash of the case id so that some are in both. Run again, it
// enrolls nobody twice.
func benchProgrammes(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench programmes", "bench programmes [--data-dir DIR | --database postgres://…]")
	open := benchDBFlags(fs, "data", "directory of the SQLite database")
	db, sys, actx, err := openBenchAs(ctx, p, fs, args, open)
	if err != nil {
		return err
	}
	defer db.Close()
	return seedBenchProgrammes(sys, actx, db, p)
}

func seedBenchProgrammes(sys, actx context.Context, db *sqldb.DB, p *program) error {
	worker := homeward.ActorFromContext(actx)
	admin := *worker
	admin.Roles = []homeward.Role{homeward.RoleAdministrator}
	actxAdmin := homeward.NewContextWithActor(sys, &admin)
	ids := map[string]string{}
	existing, err := db.Programmes(actxAdmin, programme.Filter{})
	if err != nil {
		return err
	}
	for _, pr := range existing {
		ids[pr.Code] = pr.ID
	}
	for _, pr := range []programme.Programme{
		{Code: "RAISE", NameEn: "RAISE — Recovery and Advancement of Informal Sector Employment", Donor: "World Bank", Start: "2020-01", End: "2027-12"},
		{Code: "SKILL", NameEn: "Skills for returnees", Donor: "SDC", Start: "2022-01"},
	} {
		if ids[pr.Code] != "" {
			continue
		}
		made, err := db.CreateProgramme(actxAdmin, &pr)
		if err != nil {
			return err
		}
		ids[pr.Code] = made.ID
	}
	var cases []string
	if err := db.Transact(sys, func(tx *sqldb.Tx) (err error) {
		cases, err = benchIDs(tx, `SELECT id FROM cases WHERE org_id = ? AND status <> 'closed' AND merged_into IS NULL`, worker.OrgID)
		return err
	}); err != nil {
		return err
	}
	start := time.Now()
	n, skipped := 0, 0
	for i, id := range cases {
		h := fnv.New32a()
		h.Write([]byte(id))
		v := h.Sum32() % 100
		for code, in := range map[string]bool{"RAISE": v < 30, "SKILL": v >= 25 && v < 35} {
			if !in {
				continue
			}
			if _, err := db.Enrol(actx, id, ids[code]); err != nil {
				var e *homeward.Error
				if errors.As(err, &e) && e.Code == homeward.ECONFLICT {
					skipped++
					continue
				}
				return err
			}
			n++
		}
		if i%1000 == 0 {
			fmt.Fprintf(p.stderr, "\r%d of %d cases, %d enrolments   ", i, len(cases), n)
		}
	}
	fmt.Fprintf(p.stderr, "\n")
	fmt.Fprintf(p.stdout, "programmes: %d enrolments of %d open cases in RAISE and SKILL in %s (%d there already)\n", n, len(cases), time.Since(start).Round(time.Millisecond), skipped)
	return nil
}

// benchIDs reads the one text column of a bench query's rows.
func benchIDs(tx *sqldb.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
