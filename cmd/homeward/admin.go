package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/password"
	"homeward/internal/sqldb"
)

// system returns ctx acting as the system: whoever runs these commands
// holds the database already.
func system(ctx context.Context) context.Context {
	return homeward.NewContextWithActor(ctx, homeward.SystemActor)
}

// explain turns a validation error into lines a terminal user can act on.
func explain(err error) error {
	var e *homeward.Error
	if !errors.As(err, &e) {
		return err
	}
	var b strings.Builder
	b.WriteString(i18n.Error("en", err))
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, i18n.FieldMessage("en", f))
	}
	if e.Field != "" && len(e.Fields) == 0 {
		fmt.Fprintf(&b, " (%s)", e.Field)
	}
	return errors.New(b.String())
}

func cmdMigrate(ctx context.Context, p *program, args []string) error {
	var c Config
	fs := p.flagSet("migrate", "migrate [flags]\n\nApplies pending migrations (each in its own transaction) and lists the applied ones.")
	c.dbFlags(fs)
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	db, err := openDB(ctx, &c, p.logger(&c)) // Open migrates
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.MigrateStatus(ctx, false)
	if err != nil {
		return err
	}
	for _, m := range applied {
		fmt.Fprintln(p.stdout, "applied", m)
	}
	fmt.Fprintf(p.stdout, "%s database is up to date (%d migrations)\n", db.Dialect(), len(applied))
	return nil
}

func withDB(ctx context.Context, p *program, name, usage string, args []string, extra func(fs *flagSetT)) (*sqldb.DB, []string, error) {
	var c Config
	fs := p.flagSet(name, usage)
	c.dbFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := p.parse(fs, args); err != nil {
		return nil, nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, &c, p.logger(&c))
	if err != nil {
		return nil, nil, err
	}
	return db, p.args, nil
}

func cmdAudit(ctx context.Context, p *program, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(p.stderr, "Usage: homeward audit verify [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usageError{"audit needs a subcommand: verify"}
	}
	var asJSON bool
	db, _, err := withDB(ctx, p, "audit verify", "audit verify [flags]\n\nWalks every hash chain of the audit log and reports the first changed, deleted or reordered event of each.", args[1:],
		func(fs *flagSetT) { fs.BoolVar(&asJSON, "json", false, "print the report as JSON") })
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.VerifyAudit(system(ctx))
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(p.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		fmt.Fprintf(p.stdout, "checked %d events in %d chains\n", rep.Events, rep.Chains)
		for _, pr := range rep.Problems {
			fmt.Fprintf(p.stdout, "BROKEN chain %s at event %d (id %d): %s — %s\n", pr.Chain, pr.Seq, pr.ID, pr.Kind, pr.Text)
		}
	}
	if !rep.OK() {
		return fmt.Errorf("audit log verification failed: %d chain(s) broken", len(rep.Problems))
	}
	fmt.Fprintln(p.stdout, "audit log intact")
	return nil
}

func cmdOrg(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	switch sub {
	case "create":
		var o homeward.Organisation
		var typ, areas string
		db, _, err := withDB(ctx, p, "org create", "org create --name NAME --type TYPE --country CC [--areas P1,P2] [--operator]", rest, func(fs *flagSetT) {
			fs.StringVar(&o.Name, "name", "", "organisation name")
			fs.StringVar(&o.ShortName, "short-name", "", "short name")
			fs.StringVar(&typ, "type", "", "ministry, welfare_board, international, ngo, service_provider, employer, partner_abroad")
			fs.StringVar(&o.Country, "country", "BD", "ISO 3166 alpha-2 country")
			fs.StringVar(&areas, "areas", "", "comma-separated p-codes where it works")
			fs.BoolVar(&o.Operator, "operator", false, "this organisation operates the instance (its administrators manage all organisations)")
		})
		if err != nil {
			return err
		}
		defer db.Close()
		o.Type = homeward.OrgType(typ)
		o.Areas = splitList(areas)
		if err := db.CreateOrganisation(system(ctx), &o); err != nil {
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "created organisation %s (%s)\n", o.Name, o.ID)
		return nil
	case "list":
		db, _, err := withDB(ctx, p, "org list", "org list", rest, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		tw := tabwriter.NewWriter(p.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tTYPE\tCOUNTRY\tAREAS")
		after := ""
		for {
			list, next, err := db.FindOrganisations(system(ctx), homeward.OrganisationFilter{After: after, Limit: 500})
			if err != nil {
				return err
			}
			for _, o := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Type, o.Country, strings.Join(o.Areas, ","))
			}
			if next == "" {
				break
			}
			after = next
		}
		return tw.Flush()
	}
	fmt.Fprintln(p.stderr, "Usage: homeward org create|list [flags]")
	return helpOrUsage(sub, "org needs a subcommand: create or list")
}

func subcommand(args []string) (string, []string) {
	if len(args) == 0 {
		return "", nil
	}
	return args[0], args[1:]
}

func helpOrUsage(sub, msg string) error {
	if sub == "-h" || sub == "--help" || sub == "help" {
		return nil
	}
	return usageError{msg}
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// readSecret reads a password from stdin (one line) when fromStdin is set,
// otherwise generates one.
func readSecret(r io.Reader, fromStdin bool) (string, bool, error) {
	if !fromStdin {
		return password.NewSecret("")[:20], true, nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func parseExpiry(s string, now time.Time) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if strings.HasSuffix(s, "d") {
		var days int
		if _, err := fmt.Sscanf(s, "%dd", &days); err == nil && days > 0 {
			t := now.Add(time.Duration(days) * 24 * time.Hour)
			return &t, nil
		}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--expires %q: give a number of days (90d) or a date (2027-01-31)", s)}
	}
	return &t, nil
}
