package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

func init() {
	commands["retention"] = command{"retention run [--dry-run]: apply every organisation's retention periods (legal holds respected)", cmdRetention}
}

func cmdRetention(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	if sub != "run" {
		fmt.Fprintln(p.stderr, "Usage: homeward retention run [--dry-run] [--json] [flags]")
		return helpOrUsage(sub, "retention needs a subcommand: run")
	}
	var dryRun, asJSON bool
	db, _, err := withDB(ctx, p, "retention run", "retention run [--dry-run] [--json] [flags]\n\nApplies every organisation's retention periods (set by its administrators on /retention): people\nwhose cases all closed long enough ago are pseudonymised, declined referrals are cleared of what they\nshared, old evidence files are deleted. People under a legal hold are listed as held and left alone.\nWith --dry-run it lists what would be done, and why, and changes nothing. The server runs it daily.", rest,
		func(fs *flagSetT) {
			fs.BoolVar(&dryRun, "dry-run", false, "list what would be done; change nothing")
			fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
		})
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.RunRetention(system(ctx), dryRun)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(p.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printRetention(p, rep)
	return nil
}

// printRetention prints one line per record and a total.
func printRetention(p *program, rep *registry.RetentionReport) {
	for _, it := range rep.Items {
		what := it.Action
		if it.Held {
			what = "HELD (legal hold; left alone)"
		}
		fmt.Fprintf(p.stdout, "%s %s %s: %s since %s, period %d years (organisation %s)\n",
			what, it.RecordType, it.RecordID, it.Kind, it.Since.Format(time.DateOnly), it.Years, it.OrgID)
	}
	if rep.DryRun {
		fmt.Fprintf(p.stdout, "dry run: %d records due, %d held; nothing was changed\n", len(rep.Items)-rep.Held, rep.Held)
		return
	}
	fmt.Fprintf(p.stdout, "%d records changed, %d held\n", rep.Done, rep.Held)
}

// runRetention applies the retention periods at launch and then every
// interval, as the indicators are rebuilt (several serve processes may run
// it: each record is changed in a transaction that checks it again).
func runRetention(ctx context.Context, db *sqldb.DB, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := db.RunRetention(system(ctx), false)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("retention not applied", "err", err)
		default:
			log.Info("retention applied", "changed", rep.Done, "held", rep.Held)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
