package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"homeward"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
)

type flagSetT = flag.FlagSet

const userUsage = `user COMMAND [flags]

Commands:
  create --org ORG --email E --name N --roles administrator [--password-stdin]
                     the bootstrap path: the first administrator of an organisation that has none
  create --as ADMIN_EMAIL --org ORG --email E --name N --roles r1,r2 [--locale bn] [--password-stdin]
                     any other account, made by an administrator of ORG under the same rules as
                     in the web and API (protected roles such as provider_staff wait for a
                     second administrator's approval)
  list [--org ORG]
  disable EMAIL | enable EMAIL
  reset-password EMAIL [--password-stdin]
  reset-second-factor EMAIL
                     remove the authenticator app and recovery codes of a user who lost both
                     (audited; their sessions end; they are told at their next sign-in)
  token create EMAIL --name N --scopes read,write [--expires 90d] [--code C] --password-stdin
                     a token is made only by its owner: give EMAIL's own password on stdin,
                     and a current code when they have a second factor
  token list EMAIL
  token revoke TOKEN_ID

ORG is an organisation's ID or exact name. Without --password-stdin a password is generated and printed once.`

func findUser(ctx context.Context, db *sqldb.DB, email string) (*homeward.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	list, _, err := db.FindUsers(system(ctx), homeward.UserFilter{Email: &email, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, usageError{fmt.Sprintf("no user with e-mail %q", email)}
	}
	return list[0], nil
}

// withUser opens the database for a command about one user, named by the
// one positional argument (an e-mail address), and finds them.
func withUser(ctx context.Context, p *program, name, usage string, args []string, extra func(fs *flagSetT)) (*sqldb.DB, *homeward.User, error) {
	db, pos, err := withDB(ctx, p, name, usage, args, extra)
	if err != nil {
		return nil, nil, err
	}
	if len(pos) != 1 {
		db.Close()
		return nil, nil, usageError{"give one e-mail address"}
	}
	u, err := findUser(ctx, db, pos[0])
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, u, nil
}

func findOrg(ctx context.Context, db *sqldb.DB, ref string) (*homeward.Organisation, error) {
	if homeward.ValidID(ref) {
		return db.FindOrganisationByID(system(ctx), ref)
	}
	after := ""
	for {
		list, next, err := db.FindOrganisations(system(ctx), homeward.OrganisationFilter{Query: &ref, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if strings.EqualFold(o.Name, ref) || strings.EqualFold(o.ShortName, ref) {
				return o, nil
			}
		}
		if next == "" {
			return nil, usageError{fmt.Sprintf("no organisation named %q (homeward org list shows them)", ref)}
		}
		after = next
	}
}

func cmdUser(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	sctx := system(ctx)
	switch sub {
	case "create":
		var org, email, name, roles, locale, as string
		var fromStdin bool
		db, _, err := withDB(ctx, p, "user create", userUsage, rest, func(fs *flagSetT) {
			fs.StringVar(&as, "as", "", "e-mail of the administrator who creates the account (needed for all but an organisation's first administrator)")
			fs.StringVar(&org, "org", "", "organisation ID or name")
			fs.StringVar(&email, "email", "", "e-mail address (the login)")
			fs.StringVar(&name, "name", "", "full name")
			fs.StringVar(&roles, "roles", "", "comma-separated roles: administrator, supervisor, case_worker, provider_staff, me_analyst, auditor")
			fs.StringVar(&locale, "locale", "en", "preferred language (en, bn)")
			fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
		})
		if err != nil {
			return err
		}
		defer db.Close()
		o, err := findOrg(ctx, db, org)
		if err != nil {
			return err
		}
		u := &homeward.User{OrgID: o.ID, Email: email, Name: name, Locale: locale}
		for _, r := range splitList(roles) {
			u.Roles = append(u.Roles, homeward.Role(r))
		}
		pw, generated, err := readSecret(p.stdin, fromStdin)
		if err != nil {
			return err
		}
		if as == "" {
			// Bootstrap: the machine's operator makes an organisation's
			// first administrator, who makes its other accounts.
			err = db.CreateFirstAdministrator(sctx, u, pw)
		} else {
			var admin *homeward.User
			if admin, err = findUser(ctx, db, as); err != nil {
				return err
			}
			var actor *homeward.Actor
			if actor, err = cliActor(ctx, db, admin); err != nil {
				return err
			}
			err = db.CreateUser(homeward.NewContextWithActor(ctx, actor), u, pw)
		}
		if err != nil {
			if homeward.ErrorCode(err) == homeward.EFORBIDDEN && as == "" {
				return usageError{"without --as, user create makes only the first administrator (--roles administrator) of an organisation that has none; give --as ADMIN_EMAIL for other accounts"}
			}
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "created user %s (%s) in %s\n", u.Email, u.ID, o.Name)
		if len(u.PendingRoles) > 0 {
			fmt.Fprintf(p.stdout, "roles waiting for another administrator's approval: %s\n", joinRoles(u.PendingRoles))
		}
		if generated {
			fmt.Fprintf(p.stdout, "password: %s\n", pw)
		}
		return nil
	case "list":
		var org string
		db, _, err := withDB(ctx, p, "user list", userUsage, rest, func(fs *flagSetT) { fs.StringVar(&org, "org", "", "organisation ID or name") })
		if err != nil {
			return err
		}
		defer db.Close()
		f := homeward.UserFilter{Limit: 500}
		if org != "" {
			o, err := findOrg(ctx, db, org)
			if err != nil {
				return err
			}
			f.OrgID = &o.ID
		}
		tw := tabwriter.NewWriter(p.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tE-MAIL\tNAME\tROLES\tSTATE")
		for {
			list, next, err := db.FindUsers(sctx, f)
			if err != nil {
				return err
			}
			for _, u := range list {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, joinRoles(u.Roles), state)
			}
			if next == "" {
				break
			}
			f.After = next
		}
		return tw.Flush()
	case "disable", "enable":
		db, u, err := withUser(ctx, p, "user "+sub, "user "+sub+" EMAIL", rest, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		disabled := sub == "disable"
		if _, err := db.UpdateUser(sctx, u.ID, u.Version, homeward.UserUpdate{Disabled: &disabled}); err != nil {
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "%sd %s\n", sub, u.Email)
		return nil
	case "reset-password":
		var fromStdin bool
		db, u, err := withUser(ctx, p, "user reset-password", "user reset-password EMAIL [--password-stdin]", rest, func(fs *flagSetT) {
			fs.BoolVar(&fromStdin, "password-stdin", false, "read the new password from standard input")
		})
		if err != nil {
			return err
		}
		defer db.Close()
		pw, generated, err := readSecret(p.stdin, fromStdin)
		if err != nil {
			return err
		}
		if err := db.SetPassword(sctx, u.ID, "", pw); err != nil {
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "password of %s reset; their sessions were ended and their API tokens revoked\n", u.Email)
		if generated {
			fmt.Fprintf(p.stdout, "password: %s\n", pw)
		}
		return nil
	case "reset-second-factor":
		db, u, err := withUser(ctx, p, "user reset-second-factor", "user reset-second-factor EMAIL\n\nRemoves the authenticator app and recovery codes of a user who lost both, so that they can sign in\nwith their password and set up a new one. Check who asks first: this is audited, ends the user's\nsessions, and the user is told on their account page.", rest, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.ResetSecondFactor(sctx, u.ID); err != nil {
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "second factor of %s removed; their sessions were ended and they will be told at their next sign-in\n", u.Email)
		return nil
	case "token":
		return cmdToken(ctx, p, rest)
	}
	fmt.Fprintln(p.stderr, "Usage: homeward "+userUsage)
	return helpOrUsage(sub, "user needs a subcommand")
}

func cmdToken(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	sctx := system(ctx)
	switch sub {
	case "create":
		var name, scopes, expires, code, notesFile string
		var fromStdin bool
		db, pos, c, err := withDBConfig(ctx, p, "user token create", "user token create EMAIL --name N --scopes read,write [--expires 90d] [--code C] --password-stdin\n\nA token is made only by its owner: EMAIL's own password is read from standard input, and an owner with a second factor gives a current code from their authenticator app (or a recovery code).", rest, func(fs *flagSetT) {
			fs.StringVar(&code, "code", "", "the owner's current second-factor code, when they have one")
			fs.StringVar(&notesFile, "notes-key-file", "", "with --code: the instance's at-rest key that seals second factors (default: HOMEWARD_NOTES_KEY, else <data-dir>/notes.key; never created)")
			fs.BoolVar(&fromStdin, "password-stdin", false, "read the owner's password from standard input (required)")
			fs.StringVar(&name, "name", "", "what the token is for")
			fs.StringVar(&scopes, "scopes", "read", "comma-separated scopes: read, write, admin, audit, reference")
			fs.StringVar(&expires, "expires", "", "expiry: a number of days (90d) or a date")
		})
		if err != nil {
			return err
		}
		defer db.Close()
		if len(pos) != 1 {
			return usageError{"give one e-mail address"}
		}
		if !fromStdin {
			return usageError{"a token is made only by its owner: give their password with --password-stdin"}
		}
		pw, _, err := readSecret(p.stdin, true)
		if err != nil {
			return err
		}
		// The owner signs in (throttled and audited like any sign-in) and
		// makes the token as themselves.
		session, s, err := db.Login(ctx, pos[0], pw)
		if err != nil {
			return explain(err)
		}
		if s.SecondFactor {
			if code == "" {
				return usageError{"this account signs in with a second factor: give a current code with --code"}
			}
			// The code is checked against the sealed secret: the
			// instance's at-rest key opens it. It is read, never made.
			c.NotesKey, c.NotesKeyFile = p.getenv(notesKeyEnv), notesFile
			if c.NotesKey == "" && c.NotesKeyFile == "" {
				c.NotesKeyFile = filepath.Join(c.DataDir, "notes.key")
			}
			key, _, _, err := c.notesKey()
			if err != nil {
				return err
			}
			db.NotesKeys = seal.NewKeyring(key)
			if session, _, err = db.LoginSecondFactor(ctx, session, code); err != nil {
				return explain(err)
			}
		}
		defer db.Logout(ctx, session)
		owner, _, err := db.SessionActor(ctx, session)
		if err != nil {
			return explain(err)
		}
		u := &homeward.User{ID: owner.UserID, Email: owner.Email}
		exp, err := parseExpiry(expires, time.Now())
		if err != nil {
			return err
		}
		t := &homeward.APIToken{Name: name, ExpiresAt: exp}
		for _, s := range splitList(scopes) {
			t.Scopes = append(t.Scopes, homeward.Scope(s))
		}
		if err := db.CreateToken(homeward.NewContextWithActor(ctx, owner), u.ID, t); err != nil {
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "token %s for %s (scopes %s)\nsecret (shown once): %s\n", t.ID, u.Email, scopes, t.Secret)
		return nil
	case "list":
		db, u, err := withUser(ctx, p, "user token list", "user token list EMAIL", rest, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := db.FindTokens(sctx, u.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(p.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tSTATE")
		for _, t := range list {
			state := "active"
			if t.RevokedAt != nil {
				state = "revoked"
			} else if t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()) {
				state = "expired"
			}
			var ss []string
			for _, s := range t.Scopes {
				ss = append(ss, string(s))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(ss, ","), t.CreatedAt.Format(time.DateOnly), state)
		}
		return tw.Flush()
	case "revoke":
		db, pos, err := withDB(ctx, p, "user token revoke", "user token revoke TOKEN_ID", rest, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if len(pos) != 1 {
			return usageError{"give one token ID"}
		}
		if err := db.RevokeToken(sctx, pos[0]); err != nil {
			return explain(err)
		}
		fmt.Fprintf(p.stdout, "revoked token %s\n", pos[0])
		return nil
	}
	fmt.Fprintln(p.stderr, "Usage: homeward user token create|list|revoke")
	return helpOrUsage(sub, "token needs a subcommand: create, list or revoke")
}

func joinRoles(rs []homeward.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// cliActor is the actor of a command run --as the user u: the rules are the
// ones the web and the API apply to u.
func cliActor(ctx context.Context, db *sqldb.DB, u *homeward.User) (*homeward.Actor, error) {
	if u.Disabled {
		return nil, usageError{fmt.Sprintf("%s is disabled", u.Email)}
	}
	o, err := db.FindOrganisationByID(system(ctx), u.OrgID)
	if err != nil {
		return nil, err
	}
	return &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: u.Locale, Operator: o.Operator}, nil
}
