package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
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
	db, pos, _, err := openCommandDB(ctx, p, name, usage, args, false, extra)
	return db, pos, err
}

// withDBConfig is withDB that also returns the configuration read.
func withDBConfig(ctx context.Context, p *program, name, usage string, args []string, extra func(fs *flagSetT)) (*sqldb.DB, []string, *Config, error) {
	return openCommandDB(ctx, p, name, usage, args, false, extra)
}

// withKeyedDB is withDB for commands that read or write people's records:
// it also takes the key that wraps the data keys sealing their identifiers
// (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key).
func withKeyedDB(ctx context.Context, p *program, name, usage string, args []string, extra func(fs *flagSetT)) (*sqldb.DB, []string, error) {
	db, pos, _, err := openCommandDB(ctx, p, name, usage, args, true, extra)
	return db, pos, err
}

func openCommandDB(ctx context.Context, p *program, name, usage string, args []string, keyed bool, extra func(fs *flagSetT)) (*sqldb.DB, []string, *Config, error) {
	var c Config
	fs := p.flagSet(name, usage)
	c.dbFlags(fs)
	if keyed {
		fs.StringVar(&c.NotesKeyFile, "notes-key-file", "", "file holding the master key that encrypts counselling notes and wraps the keys of people's identifiers (base64, mode 0600); default: HOMEWARD_NOTES_KEY, else <data-dir>/notes.key")
	}
	if extra != nil {
		extra(fs)
	}
	if err := p.parse(fs, args); err != nil {
		return nil, nil, nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, nil, nil, err
	}
	c.AuditKey = p.getenv(auditKeyEnv)
	c.auditKeyed = true
	if keyed {
		c.NotesKey = p.getenv(notesKeyEnv)
		c.identKeyed = true
	}
	db, err := openDB(ctx, &c, p.logger(&c))
	if err != nil {
		return nil, nil, nil, err
	}
	return db, p.args, &c, nil
}

func cmdAudit(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	switch sub {
	case "verify":
		return auditVerify(ctx, p, rest)
	case "anchor":
		return auditAnchor(ctx, p, rest)
	}
	fmt.Fprintln(p.stderr, "Usage: homeward audit verify|anchor [flags]")
	return helpOrUsage(sub, "audit needs a subcommand: verify or anchor")
}

func auditVerify(ctx context.Context, p *program, args []string) error {
	var asJSON bool
	var checkpoint string
	db, _, err := withDB(ctx, p, "audit verify", "audit verify [--checkpoint FILE] [flags]\n\nWalks every keyed hash chain of the audit log and reports the first changed, deleted, reordered or\nunkeyed event of each. With --checkpoint (made by audit anchor and kept apart from the database) it\nalso reports events deleted from a chain's end and chains replaced or removed since the checkpoint.", args,
		func(fs *flagSetT) {
			fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
			fs.StringVar(&checkpoint, "checkpoint", "", "a checkpoint made by audit anchor to compare the chains with")
		})
	if err != nil {
		return err
	}
	defer db.Close()
	var rep *homeward.AuditReport
	if checkpoint != "" {
		cp, err := readCheckpoint(checkpoint)
		if err != nil {
			return err
		}
		rep, err = db.VerifyAuditCheckpoint(system(ctx), cp)
		if err != nil {
			return err
		}
	} else if rep, err = db.VerifyAudit(system(ctx)); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(p.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		fmt.Fprintf(p.stdout, "checked %d events in %d chains\n", rep.Events, rep.Chains)
		if rep.Unkeyed > 0 {
			fmt.Fprintf(p.stdout, "%d events were written before the audit key and are covered by the keyed events after them\n", rep.Unkeyed)
		}
		if rep.Checkpoint != nil {
			fmt.Fprintf(p.stdout, "compared with the checkpoint of %s\n", rep.Checkpoint.Format(time.RFC3339))
		}
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

// readCheckpoint reads a checkpoint file; its signature is checked with the
// audit key by VerifyAuditCheckpoint.
func readCheckpoint(path string) (*homeward.AuditCheckpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cp homeward.AuditCheckpoint
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cp); err != nil {
		return nil, fmt.Errorf("%w: %s is not a checkpoint: %v", homeward.ErrCheckpoint, path, err)
	}
	return &cp, nil
}

func auditAnchor(ctx context.Context, p *program, args []string) error {
	var post string
	db, _, err := withDB(ctx, p, "audit anchor", "audit anchor [--post URL] [flags]\n\nVerifies the audit log and prints a checkpoint of every chain's head (organisation, last sequence\nnumber, last hash, time), signed with Ed25519 under a key derived from the audit key. Keep it apart\nfrom the database (or --post it to a service that does); audit verify --checkpoint FILE then detects\nevents deleted and chains replaced since.", args,
		func(fs *flagSetT) {
			fs.StringVar(&post, "post", "", "also POST the checkpoint as JSON to this URL (a 2xx answer is success)")
		})
	if err != nil {
		return err
	}
	defer db.Close()
	cp, rep, err := db.AuditCheckpoint(system(ctx))
	if err != nil {
		return err
	}
	if cp == nil {
		for _, pr := range rep.Problems {
			fmt.Fprintf(p.stderr, "BROKEN chain %s at event %d (id %d): %s — %s\n", pr.Chain, pr.Seq, pr.ID, pr.Kind, pr.Text)
		}
		return fmt.Errorf("audit log verification failed: %d chain(s) broken; no checkpoint made", len(rep.Problems))
	}
	body, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	if _, err := p.stdout.Write(body); err != nil {
		return err
	}
	if post != "" {
		return postCheckpoint(ctx, post, body)
	}
	return nil
}

// postCheckpoint sends a checkpoint to a service that keeps it.
func postCheckpoint(ctx context.Context, url string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return usageError{fmt.Sprintf("--post %q: %v", url, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Homeward/"+version)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post checkpoint: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post checkpoint: %s answered %s", url, resp.Status)
	}
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
