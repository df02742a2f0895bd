package demo

import (
	"context"
	"fmt"

	"homeward"
	"homeward/internal/registry"
	"homeward/internal/rpl"
	"homeward/internal/sqldb"
)

// certifiers are the demo organisations that certify skills learned
// abroad, each with its assessor, the standards they assess and which
// of their returnees apply: a welder, a mason, a caregiver… One
// certificate of the second organisation is revoked, one candidate of each
// needs gap training, one application of each waits for the assessor.
var certifiers = []struct {
	org, admin, assessor, supervisor, caseworker, centre string
	standards                                            []string
}{
	{"shapla", "admin@shapla.demo", "assessor@shapla.demo", "supervisor@shapla.demo", "caseworker@shapla.demo", "TTC Dhaka assessment centre", []string{"HW-MASON-2", "HW-WELD-2", "HW-ELEC-2"}},
	{"sylhet", "admin@smwf.demo", "assessor@smwf.demo", "supervisor@smwf.demo", "caseworker@smwf.demo", "Sylhet assessment centre", []string{"HW-CARE-2", "HW-DRIVE-2", "HW-HOUSE-2"}},
}

func seedCertificates(ctx context.Context, db *sqldb.DB, w *World) error {
	as := func(email string) context.Context {
		u := w.Users[email]
		return homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: u.Locale})
	}
	cat := db.RPLCatalogue()
	for ci, c := range certifiers {
		for _, s := range c.standards {
			if err := db.RegisterAssessor(as(c.admin), w.Users[c.assessor].ID, s, c.centre); err != nil {
				return fmt.Errorf("assessor %s: %w", c.assessor, err)
			}
		}
		people, _, err := db.Search(as(c.caseworker), registry.SearchFilter{Limit: 12})
		if err != nil {
			return err
		}
		// One more applicant waits for the assessor.
		if len(people) > len(c.standards)+1 {
			p := people[len(c.standards)+1]
			if _, err := db.ApplyRPL(as(c.caseworker), p.CaseID, c.standards[0], []rpl.Evidence{{Kind: "certificate", Note: "Trade certificate from abroad"}}); err != nil {
				return err
			}
		}
		for i, p := range people[:min(len(people), len(c.standards)+1)] {
			std := cat.Standard(c.standards[i%len(c.standards)])
			a, err := db.ApplyRPL(as(c.caseworker), p.CaseID, std.Code, []rpl.Evidence{
				{Kind: "employer_letter", Note: "Employer's letter, 2019–2024"}, {Kind: "photo", Note: "Photos of finished work"}})
			if err != nil {
				return fmt.Errorf("rpl application for %s: %w", p.CaseNumber, err)
			}
			var results []rpl.UnitResult
			for j, u := range std.Units {
				r := rpl.UnitResult{Unit: u.Code, Result: rpl.Competent, Note: "Observed at the assessment centre"}
				// The last candidate of each centre is not yet competent in
				// one unit: gap training, then re-assessment.
				if i == len(c.standards) && j == len(std.Units)-1 {
					r.Result, r.Note = rpl.NotYetCompetent, "Needs supervised practice"
				}
				results = append(results, r)
			}
			if a, err = db.RecordRPL(as(c.assessor), a.ID, a.Version, results); err != nil {
				return fmt.Errorf("rpl results for %s: %w", p.CaseNumber, err)
			}
			if a, err = db.SignOffRPL(as(c.supervisor), a.ID, a.Version); err != nil {
				return fmt.Errorf("rpl sign-off for %s: %w", p.CaseNumber, err)
			}
			if a.Decision != rpl.DecisionCertify {
				continue
			}
			cred, err := db.IssueCredential(as(c.supervisor), a.ID)
			if err != nil {
				return fmt.Errorf("certificate for %s: %w", p.CaseNumber, err)
			}
			if ci == 1 && i == 0 {
				if _, err := db.RevokeCredential(as(c.supervisor), cred.ID, "The employer's letter could not be confirmed."); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
