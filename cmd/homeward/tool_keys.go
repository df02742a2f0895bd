package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"homeward/internal/sqldb"
)

// This file's name sorts after main.go, whose init makes the command map.
func init() {
	commands["keys"] = command{"keys status|rotate: the data keys that encrypt people's identifiers", cmdKeys}
}

func cmdKeys(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	switch sub {
	case "status":
		return keysStatus(ctx, p, rest)
	case "rotate":
		return keysRotate(ctx, p, rest)
	}
	fmt.Fprintln(p.stderr, "Usage: homeward keys status|rotate [flags]")
	return helpOrUsage(sub, "keys needs a subcommand: status or rotate")
}

func keysStatus(ctx context.Context, p *program, args []string) error {
	db, _, err := withKeyedDB(ctx, p, "keys status", "keys status [flags]\n\nLists the data keys that encrypt people's identifiers (national ID, passport and other document\nnumbers, phones) with how many records each seals (people, duplicate merges, referrals, received\nhandoff announcements), and the blind index key. Key ids are not secret;\nthe keys themselves are never printed.", args, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return printKeyStatus(ctx, p, db)
}

func printKeyStatus(ctx context.Context, p *program, db *sqldb.DB) error {
	status, clearKeys, err := db.IdentifierStatus(system(ctx))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "key id\tpurpose\tcurrent\tcreated\tpeople\tmerges\treferrals\tarrivals")
	for _, s := range status {
		id, created, current := s.ID, "", ""
		if id == "" {
			id = "(in clear)"
		} else {
			created = s.CreatedAt.UTC().Format(time.RFC3339)
		}
		if s.Current {
			current = "yes"
		}
		counts := fmt.Sprintf("%d\t%d\t%d\t%d", s.People, s.Merges, s.Referrals, s.Arrivals)
		if s.Purpose == "index" {
			counts = "-\t-\t-\t-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", id, s.Purpose, current, created, counts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "phone and document search keys in clear: %d\n", clearKeys)
	return nil
}

func keysRotate(ctx context.Context, p *program, args []string) error {
	var batch int
	var settle time.Duration
	db, _, err := withKeyedDB(ctx, p, "keys rotate", "keys rotate [--batch N] [flags]\n\nMakes a new data key the one that seals people's identifiers and re-encrypts every record sealed\nunder an older key, N records to a transaction, while the server runs. Interrupted (Ctrl-C, a crash),\nit loses nothing: run it again and it goes on where it stopped (it makes a new key only when no record\nis left under an older one). The blind index key does not rotate (see README, Key handling).", args,
		func(fs *flagSetT) {
			fs.IntVar(&batch, "batch", 500, "records re-encrypted per transaction")
			fs.DurationVar(&settle, "settle", sqldb.IdentKeyRefresh+time.Second, "how long to wait before a last pass, so that records other processes sealed under the old key meanwhile are moved too")
		})
	if err != nil {
		return err
	}
	defer db.Close()
	if batch < 1 || batch > 10_000 {
		return usageError{"--batch must be between 1 and 10000"}
	}
	sys := system(ctx)
	status, _, err := db.IdentifierStatus(sys)
	if err != nil {
		return err
	}
	current, left := "", 0
	for _, s := range status {
		if s.Purpose != "seal" {
			continue
		}
		if s.Current {
			current = s.ID
		} else {
			left += s.People + s.Merges + s.Referrals
		}
	}
	if left > 0 && current != "" {
		fmt.Fprintf(p.stdout, "resuming the rotation to data key %s: %d records left under older keys\n", current, left)
	} else {
		if current, err = db.NewIdentifierKey(sys); err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "data key %s now seals new records; re-encrypting the others\n", current)
	}
	start := time.Now()
	progress := func(r sqldb.ReencryptProgress) {
		fmt.Fprintf(p.stderr, "\r%s: %d re-encrypted ", r.Table, r.Done)
	}
	n, err := db.ReencryptIdentifiers(ctx, batch, progress)
	fmt.Fprintln(p.stderr)
	if err != nil {
		return fmt.Errorf("rotation stopped after %d records (run keys rotate again to go on): %w", n, err)
	}
	// Another process may have sealed a record under the old key until it
	// looked at the keys again: a last pass moves those.
	if settle > 0 {
		select {
		case <-time.After(settle):
		case <-ctx.Done():
			return fmt.Errorf("rotation stopped before its last pass (run keys rotate again to finish): %w", ctx.Err())
		}
		m, err := db.ReencryptIdentifiers(ctx, batch, nil)
		n += m
		if err != nil {
			return fmt.Errorf("rotation stopped after %d records (run keys rotate again to go on): %w", n, err)
		}
	}
	fmt.Fprintf(p.stdout, "re-encrypted %d records under data key %s in %s\n", n, current, time.Since(start).Round(time.Millisecond))
	return printKeyStatus(ctx, p, db)
}
