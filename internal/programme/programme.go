// Package programme is what an organisation runs for returnees — a
// donor-funded project such as RAISE (Recovery and Advancement of Informal
// Sector Employment), over a period and some districts — and the
// enrolment of cases in it. A case may be enrolled in several programmes;
// indicators are broken down and filtered by the programme's code.
package programme

import (
	"context"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
)

// Programme is one programme of an organisation. Its code is unique within
// the organisation and is what indicators are kept by, so two
// organisations running the same donor programme give it the same code
// and their figures add up.
type Programme struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Code      string    `json:"code"`
	NameEn    string    `json:"name_en"`
	NameBn    string    `json:"name_bn,omitempty"`
	Donor     string    `json:"donor,omitempty"`
	Start     string    `json:"start,omitempty"` // YYYY-MM
	End       string    `json:"end,omitempty"`   // YYYY-MM, "" while open-ended
	Districts []string  `json:"districts"`       // p-codes; none: anywhere
	Active    bool      `json:"active"`
	Enrolled  int       `json:"enrolled"` // cases enrolled (lists only)
	CreatedAt time.Time `json:"created_at"`
}

// Name returns the programme's name in lang (English when it has none).
func (p *Programme) Name(lang string) string {
	if homeward.LangBase(lang) == "bn" && p.NameBn != "" {
		return p.NameBn
	}
	return p.NameEn
}

// Enrolment is a case's membership of a programme.
type Enrolment struct {
	CaseID      string    `json:"case_id"`
	ProgrammeID string    `json:"programme_id"`
	Code        string    `json:"code"`
	NameEn      string    `json:"name_en"`
	NameBn      string    `json:"name_bn,omitempty"`
	EnrolledAt  time.Time `json:"enrolled_at"`
	EnrolledBy  string    `json:"enrolled_by"`
}

// Normalize tidies what a person typed: spaces trimmed, the code in upper
// case, districts without blanks.
func (p *Programme) Normalize() {
	p.Code = strings.ToUpper(strings.TrimSpace(p.Code))
	p.NameEn, p.NameBn, p.Donor = strings.TrimSpace(p.NameEn), strings.TrimSpace(p.NameBn), strings.TrimSpace(p.Donor)
	p.Start, p.End = strings.TrimSpace(p.Start), strings.TrimSpace(p.End)
	var ds []string
	for _, d := range p.Districts {
		if d = strings.ToUpper(strings.TrimSpace(d)); d != "" {
			ds = append(ds, d)
		}
	}
	p.Districts = ds
}

// Validate checks a programme and reports every problem at once. A code is
// 2 to 20 capital letters, digits, '-' or '_' (it is a value of the
// indicators' cells, where '|' separates values).
func (p *Programme) Validate() error {
	var v homeward.Validation
	if n := len(p.Code); n < 2 || n > 20 || strings.Trim(p.Code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		v.Add("code", "programme.code", "Give a code of 2 to 20 capital letters, digits, '-' or '_'.")
	}
	if p.NameEn == "" || len(p.NameEn) > 200 || len(p.NameBn) > 200 {
		v.Add("name_en", "programme.name", "Give the programme a name in English (the Bangla name is optional).")
	}
	if len(p.Donor) > 200 {
		v.Add("donor", "programme.donor", "The donor's name is too long.")
	}
	month := func(field, s string) bool {
		if s == "" {
			return true
		}
		if _, err := time.Parse("2006-01", s); err != nil {
			v.AddArgs(field, "indicator.month", map[string]any{"value": s}, "%q is not a month (YYYY-MM).", s)
			return false
		}
		return true
	}
	if month("start", p.Start) && month("end", p.End) && p.Start != "" && p.End != "" && p.End < p.Start {
		v.Add("end", "indicator.range", "The period ends before it starts.")
	}
	for _, d := range p.Districts {
		if a := reference.Area(d); a == nil || a.Level != "district" {
			v.AddArgs("districts", "indicator.district", map[string]any{"value": d}, "%q is not a district's p-code.", d)
		}
	}
	return v.Err()
}

// Filter chooses the programmes listed.
type Filter struct {
	OrgID string
	// Counts fills in each programme's Enrolled, counting its enrolments;
	// the dashboard leaves it out, to read no case records.
	Counts bool
}

// Service manages an organisation's programmes and enrolls its cases.
// Implementations enforce the policy for the actor in ctx: the
// organisation's administrators manage its programmes; its case workers
// and supervisors enrol its cases, in its active programmes only.
type Service interface {
	// Programmes lists the programmes of the actor's organisation (all of
	// them for the operator's watchers when f.OrgID is "", or its).
	Programmes(ctx context.Context, f Filter) ([]*Programme, error)
	CreateProgramme(ctx context.Context, p *Programme) (*Programme, error)
	SetProgrammeActive(ctx context.Context, id string, active bool) error
	// Enrol enrolls a case in a programme of the case's organisation. A
	// closed case is not enrolled (it receives no more services): reopen
	// it first.
	Enrol(ctx context.Context, caseID, programmeID string) (*Enrolment, error)
	Enrolments(ctx context.Context, caseID string) ([]*Enrolment, error)
}
