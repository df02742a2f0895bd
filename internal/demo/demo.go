// Package demo fills a fresh database with a believable Bangladesh demo
// world: the ministry that operates the instance, a welfare board, an
// international organisation, three NGOs in different districts, two
// training centres, a counselling provider and an employer, with users of
// every role, and an enterprise fund that pays business start-up grants.
// Each capability adds its own demo data here.
package demo

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/password"
	"homeward/internal/sqldb"
)

// Password is the password of every demo user.
const Password = "homeward-demo"

// Org is a demo organisation and its users.
type Org struct {
	Key   string
	Org   homeward.Organisation
	Users []User
}

// User is a demo login.
type User struct {
	Email  string
	Name   string
	Roles  []homeward.Role
	Locale string
}

func u(email, name, locale string, roles ...homeward.Role) User {
	return User{Email: email, Name: name, Roles: roles, Locale: locale}
}

var divisions = []string{"BD10", "BD20", "BD30", "BD40", "BD45", "BD50", "BD55", "BD60"}

// Orgs is the demo world.
var Orgs = []Org{
	{Key: "ministry", Org: homeward.Organisation{Name: "Ministry of Expatriates' Welfare and Overseas Employment", ShortName: "MoEWOE",
		Type: homeward.OrgMinistry, Country: "BD", Areas: divisions, Operator: true},
		Users: []User{
			u("admin@ministry.demo", "Farhana Haque", "en", homeward.RoleAdministrator),
			u("auditor@ministry.demo", "Kamrul Hasan", "bn", homeward.RoleAuditor),
			u("me@ministry.demo", "Nasrin Sultana", "en", homeward.RoleMEAnalyst),
			u("supervisor@ministry.demo", "Abdul Karim", "bn", homeward.RoleSupervisor),
		}},
	{Key: "web", Org: homeward.Organisation{Name: "Wage Earners' Welfare Board", ShortName: "WEWB", Type: homeward.OrgWelfareBoard, Country: "BD", Areas: divisions},
		Users: []User{
			u("admin@wewb.demo", "Mahmudul Alam", "en", homeward.RoleAdministrator),
			u("supervisor@wewb.demo", "Shirin Akter", "bn", homeward.RoleSupervisor),
			u("caseworker@wewb.demo", "Rafiqul Islam", "bn", homeward.RoleCaseWorker),
			u("me@wewb.demo", "Tanvir Ahmed", "en", homeward.RoleMEAnalyst),
		}},
	{Key: "io", Org: homeward.Organisation{Name: "Global Migration Partnership Bangladesh", ShortName: "GMP", Type: homeward.OrgInternational, Country: "BD", Areas: []string{"BD20", "BD30", "BD60"}},
		Users: []User{
			u("admin@gmp.demo", "Sarah Okafor", "en", homeward.RoleAdministrator),
			u("me@gmp.demo", "Imran Chowdhury", "en", homeward.RoleMEAnalyst),
			u("auditor@gmp.demo", "Lina Haddad", "en", homeward.RoleAuditor),
		}},
	{Key: "shapla", Org: homeward.Organisation{Name: "Shapla Returnee Support", ShortName: "Shapla", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD3026", "BD3067", "BD3093"}},
		Users: []User{
			u("admin@shapla.demo", "Rokeya Begum", "bn", homeward.RoleAdministrator),
			u("supervisor@shapla.demo", "Mizanur Rahman", "bn", homeward.RoleSupervisor),
			u("caseworker@shapla.demo", "Sumaiya Khatun", "bn", homeward.RoleCaseWorker),
			u("caseworker2@shapla.demo", "Jahid Hossain", "en", homeward.RoleCaseWorker),
			u("assessor@shapla.demo", "Nurul Amin", "bn", homeward.RoleProviderStaff),
			u("data@shapla.demo", "Arif Hossain", "en", homeward.RoleMEAnalyst),
		}},
	{Key: "sylhet", Org: homeward.Organisation{Name: "Sylhet Migrant Welfare Forum", ShortName: "SMWF", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD6091", "BD6036"}},
		Users: []User{
			u("admin@smwf.demo", "Anwar Uddin", "bn", homeward.RoleAdministrator),
			u("supervisor@smwf.demo", "Fatema Choudhury", "bn", homeward.RoleSupervisor),
			u("caseworker@smwf.demo", "Shahidul Islam", "bn", homeward.RoleCaseWorker),
			u("assessor@smwf.demo", "Ruma Begum", "bn", homeward.RoleProviderStaff),
		}},
	{Key: "prottyasha", Org: homeward.Organisation{Name: "Prottyasha Foundation", ShortName: "Prottyasha", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD2019", "BD2012", "BD2030"}},
		Users: []User{
			u("admin@prottyasha.demo", "Nazma Akhter", "bn", homeward.RoleAdministrator),
			u("supervisor@prottyasha.demo", "Habibur Rahman", "bn", homeward.RoleSupervisor),
			u("caseworker@prottyasha.demo", "Moushumi Das", "bn", homeward.RoleCaseWorker),
		}},
	{Key: "ttc-dhaka", Org: homeward.Organisation{Name: "Technical Training Centre Dhaka", ShortName: "TTC Dhaka", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD3026"}},
		Users: []User{
			u("staff@ttc-dhaka.demo", "Golam Mostafa", "bn", homeward.RoleProviderStaff),
			u("admin@ttc-dhaka.demo", "Selina Parvin", "en", homeward.RoleAdministrator),
		}},
	{Key: "ttc-comilla", Org: homeward.Organisation{Name: "Technical Training Centre Comilla", ShortName: "TTC Comilla", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD2019"}},
		Users: []User{u("staff@ttc-comilla.demo", "Ashraful Haque", "bn", homeward.RoleProviderStaff)}},
	{Key: "monjotno", Org: homeward.Organisation{Name: "Mon Jotno Counselling Centre", ShortName: "Mon Jotno", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD3026", "BD6091"}},
		Users: []User{u("counsellor@monjotno.demo", "Dr. Tahmina Ferdous", "bn", homeward.RoleProviderStaff)}},
	{Key: "notunshuru", Org: homeward.Organisation{Name: "Notun Shuru Enterprise Fund", ShortName: "Notun Shuru", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD20", "BD30", "BD60"}},
		Users: []User{
			u("officer@notunshuru.demo", "Parvez Mosharraf", "bn", homeward.RoleProviderStaff),
			u("supervisor@notunshuru.demo", "Dilruba Yasmin", "en", homeward.RoleSupervisor),
		}},
	{Key: "meghna", Org: homeward.Organisation{Name: "Meghna Garments Ltd", ShortName: "Meghna", Type: homeward.OrgEmployer, Country: "BD", Areas: []string{"BD3067"}},
		Users: []User{u("hr@meghna.demo", "Sajjad Karim", "en", homeward.RoleProviderStaff)}},
}

// World is what Seed created, by organisation key.
type World struct {
	Orgs  map[string]*homeward.Organisation
	Users map[string]*homeward.User // by email
}

// Seed creates the demo world in an empty database. Every demo user shares
// one password hash, computed once: argon2id is slow on purpose.
func Seed(ctx context.Context, db *sqldb.DB) (*World, error) {
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor)
	w, err := seedOrgs(ctx, db, Orgs)
	if err != nil {
		return nil, err
	}
	if err := seedRegistry(ctx, db, w); err != nil {
		return nil, fmt.Errorf("demo registry: %w", err)
	}
	if err := seedAssessments(ctx, db, w, Orgs); err != nil {
		return nil, fmt.Errorf("demo assessments: %w", err)
	}
	if err := seedDedupe(ctx, db, w); err != nil {
		return nil, fmt.Errorf("demo duplicates: %w", err)
	}
	if err := seedReferrals(ctx, db, w, bangladesh); err != nil {
		return nil, fmt.Errorf("demo referrals: %w", err)
	}
	if err := seedProgrammes(ctx, db, w); err != nil {
		return nil, fmt.Errorf("demo programmes: %w", err)
	}
	if err := seedCertificates(ctx, db, w); err != nil {
		return nil, fmt.Errorf("demo certificates: %w", err)
	}
	if err := seedRecommend(ctx, db, w); err != nil {
		return nil, fmt.Errorf("demo suggestions: %w", err)
	}
	if err := seedHandoff(ctx, db, w); err != nil {
		return nil, fmt.Errorf("demo handoff: %w", err)
	}
	return w, nil
}

// PrintLogins writes the Bangladesh demo logins as a table.
func PrintLogins(out io.Writer) { printLogins(out, Orgs) }

func printLogins(out io.Writer, orgs []Org) {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "E-MAIL\tROLE\tORGANISATION\n")
	for _, d := range orgs {
		for _, u := range d.Users {
			roles := ""
			for i, r := range u.Roles {
				if i > 0 {
					roles += ", "
				}
				roles += i18n.T("en", "role."+string(r), nil)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Email, roles, d.Org.Name)
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "\nEvery demo account's password is %q.\n", Password)
}

// PrintNotes writes what someone trying the demo should know beyond the
// logins.
func PrintNotes(out io.Writer) {
	fmt.Fprintf(out, "TTC Dhaka's webhook (/webhooks, as admin@ttc-dhaka.demo) points at an example address, so it is stopped:\n"+
		"its log lists the referral events, none of them sent. Add a webhook of your own there to try them; for a\n"+
		"receiver on this machine, start the demo with --webhook-allow-private.\n"+
		"Service suggestions: a Shapla plan (/plans, as caseworker@shapla.demo) ranks services by the model that\n"+
		"data@shapla.demo trained on a simulated history and admin@shapla.demo activated (/recommend).\n"+
		"Cross-border handoff: the Istanbul Return Counselling Centre (Türkiye) is a partner abroad (/partners, as\n"+
		"admin@ministry.demo); its signed announcements reached Shapla (/arrivals, as caseworker@shapla.demo): two\n"+
		"accepted into cases, one declined, one to meet at the airport today, one next week. Feedback to it waits in\n"+
		"the outbox: the partner's address is an example, so deliveries are retried and logged.\n")
}

// seedOrgs creates the organisations and their users. Every demo user
// shares one password hash, computed once: argon2id is slow on purpose.
func seedOrgs(ctx context.Context, db *sqldb.DB, orgs []Org) (*World, error) {
	w := &World{Orgs: map[string]*homeward.Organisation{}, Users: map[string]*homeward.User{}}
	hash := password.Hash(Password)
	for _, d := range orgs {
		o := d.Org
		o.Areas = append([]string(nil), d.Org.Areas...)
		if err := db.CreateOrganisation(ctx, &o); err != nil {
			return nil, fmt.Errorf("demo organisation %s: %w", d.Org.Name, err)
		}
		w.Orgs[d.Key] = &o
		// Anyone may try the demo with its one password: its
		// organisations require no second factor (a real organisation's
		// administrators, supervisors and counsellors need one by default).
		nofactor := homeward.DefaultSignInPolicy(o.ID)
		nofactor.SecondFactorRoles = []homeward.Role{}
		if err := db.SetSignInPolicy(ctx, nofactor); err != nil {
			return nil, fmt.Errorf("demo sign-in policy %s: %w", d.Org.Name, err)
		}
		for _, du := range d.Users {
			usr := &homeward.User{OrgID: o.ID, Email: du.Email, Name: du.Name, Roles: du.Roles, Locale: du.Locale}
			if err := db.CreateUserWithHash(ctx, usr, hash); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", du.Email, err)
			}
			w.Users[du.Email] = usr
		}
	}
	return w, nil
}
