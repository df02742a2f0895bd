// Package subject assembles the copy of everything held on a person that
// answers their subject access request: the same document for the web
// page, its JSON download and the API.
package subject

import (
	"context"
	"strings"
	"time"

	"homeward/internal/assessment"
	"homeward/internal/httpx"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Copy is everything held on a person, as given to them.
type Copy struct {
	Org         string                    `json:"organisation"`
	ProducedAt  time.Time                 `json:"produced_at"`
	Language    string                    `json:"language"`
	Record      *registry.Record          `json:"record"`
	Received    []Shared                  `json:"shared_with"`
	Assessments []*assessment.Submission  `json:"assessments"`
	Scores      []assessment.ScorePoint   `json:"scores"`
	Plans       []referral.Plan           `json:"plans"`
	Readers     []Reader                  `json:"read_by"`
	Requests    []registry.SubjectRequest `json:"requests"`
}

// Shared is one organisation that received part of the record.
type Shared struct {
	To      string           `json:"to"`
	Service string           `json:"service"`
	SentAt  time.Time        `json:"sent_at"`
	State   string           `json:"state"`
	Fields  []referral.Field `json:"fields"`
}

// Reader is one opening of the record: who (a colleague by name, a user of
// another organisation by that organisation's name), when, and how.
type Reader struct {
	Who string    `json:"who"`
	At  time.Time `json:"at"`
	Via string    `json:"via,omitempty"`
}

// Build records the export (format "html" or "json") in the audit log and
// then gathers the copy of person id's data as the actor in ctx may read
// it. language chooses the copy's language from the record; serviceName
// names a service type in that language.
func Build(ctx context.Context, svc httpx.Services, id, format string, now time.Time, language func(*registry.Record) string, serviceName func(lng, code string) string) (*Copy, error) {
	if err := svc.Subjects.RecordSubjectExport(ctx, id, format); err != nil {
		return nil, err
	}
	rec, err := svc.Registry.FindRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	lng := language(rec)
	doc := &Copy{ProducedAt: now.UTC(), Language: lng, Record: rec, Received: []Shared{}, Plans: []referral.Plan{}, Readers: []Reader{}}
	if o, err := svc.Orgs.FindOrganisationByID(ctx, rec.Person.OrgID); err == nil {
		doc.Org = o.Name
	}
	ov, err := svc.Assessment.PersonOverview(ctx, id)
	if err != nil {
		return nil, err
	}
	doc.Assessments, doc.Scores = ov.Submissions, ov.Scores
	if rec.Case != nil {
		refs, _, err := svc.Referral.FindReferrals(ctx, referral.ReferralFilter{Box: referral.Outbox, CaseID: rec.Case.ID, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, x := range refs {
			doc.Received = append(doc.Received, Shared{To: x.ToOrgName, Service: serviceName(lng, x.ServiceType), SentAt: x.SentAt, State: string(x.State), Fields: x.Shared.Fields})
		}
		plans, err := svc.Referral.FindPlans(ctx, referral.PlanFilter{CaseID: rec.Case.ID})
		if err != nil {
			return nil, err
		}
		doc.Plans = plans
	}
	readers, err := svc.Subjects.AllReaders(ctx, id)
	if err != nil {
		return nil, err
	}
	// An API token's reads are by "user/token:id": the user is named.
	user := func(actorID string) string { u, _, _ := strings.Cut(actorID, "/token:"); return u }
	ids := make([]string, 0, len(readers))
	for _, rd := range readers {
		ids = append(ids, user(rd.ActorID))
	}
	names := map[string]string{}
	if len(ids) > 0 {
		if found, err := svc.Users.UserNames(ctx, ids); err == nil {
			names = found
		}
	}
	for _, rd := range readers {
		who := names[user(rd.ActorID)]
		if who == "" {
			who = rd.ActorID
		}
		doc.Readers = append(doc.Readers, Reader{Who: who, At: rd.At, Via: rd.Via})
	}
	if doc.Requests, err = svc.Subjects.SubjectRequests(ctx, id); err != nil {
		return nil, err
	}
	return doc, nil
}
