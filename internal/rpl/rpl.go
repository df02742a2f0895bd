// Package rpl is recognition of prior learning: the competency standards a
// returnee's skills learned abroad are assessed against, the assessment
// itself (a result per unit of competency from a registered assessor, a
// decision, a second sign-off) and what may be certified.
package rpl

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"homeward"
	"homeward/internal/reference"
)

// Standard is a competency standard: an occupation (an ISCO-08 unit
// group) at a level, with the units a candidate must be competent in.
type Standard struct {
	Code       string            `json:"code"`
	Occupation string            `json:"occupation"`
	Level      int               `json:"level"`
	Name       map[string]string `json:"name"`
	Criteria   map[string]string `json:"criteria"`
	Units      []Unit            `json:"units"`
}

// Unit is a unit of competency.
type Unit struct {
	Code string            `json:"code"`
	Name map[string]string `json:"name"`
}

// Text returns a translated field in lang, else English.
func Text(m map[string]string, lang string) string {
	if s := m[homeward.LangBase(lang)]; s != "" {
		return s
	}
	return m["en"]
}

// Unit returns the standard's unit with code, or nil.
func (s *Standard) Unit(code string) *Unit {
	for i := range s.Units {
		if s.Units[i].Code == code {
			return &s.Units[i]
		}
	}
	return nil
}

// Catalogue is a versioned set of competency standards.
type Catalogue struct {
	Version string `json:"version"`
	Source  string `json:"source"`
	// MachineMade lists the languages whose texts in the catalogue are
	// machine-made, awaiting a translator's review.
	MachineMade []string   `json:"machine_made,omitempty"`
	Standards   []Standard `json:"standards"`
}

// Standard returns the catalogue's standard with code, or nil.
func (c *Catalogue) Standard(code string) *Standard {
	for i := range c.Standards {
		if c.Standards[i].Code == code {
			return &c.Standards[i]
		}
	}
	return nil
}

// MaxCatalogue bounds a catalogue file.
const MaxCatalogue = 1 << 20

// ReadCatalogue reads and checks a catalogue: no unknown field, unique
// standard and unit codes, a known ISCO-08 unit group, a level 1–6, names
// and criteria in English and Bangla, at least one unit.
func ReadCatalogue(r io.Reader) (*Catalogue, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxCatalogue+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxCatalogue {
		return nil, fmt.Errorf("rpl: a catalogue is at most %d bytes", MaxCatalogue)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Catalogue
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("rpl: catalogue: %w", err)
	}
	if c.Version == "" || len(c.Standards) == 0 {
		return nil, fmt.Errorf("rpl: a catalogue needs a version and standards")
	}
	codes := map[string]bool{}
	for _, s := range c.Standards {
		switch {
		case s.Code == "" || codes[s.Code]:
			return nil, fmt.Errorf("rpl: standard %q: missing or repeated code", s.Code)
		case reference.OccupationByCode(s.Occupation) == nil || reference.OccupationByCode(s.Occupation).Level != "unit":
			return nil, fmt.Errorf("rpl: standard %s: %q is not an ISCO-08 unit group", s.Code, s.Occupation)
		case s.Level < 1 || s.Level > 6:
			return nil, fmt.Errorf("rpl: standard %s: level %d is not 1–6", s.Code, s.Level)
		case s.Name["en"] == "" || s.Name["bn"] == "" || s.Criteria["en"] == "" || s.Criteria["bn"] == "":
			return nil, fmt.Errorf("rpl: standard %s: name and criteria need English and Bangla", s.Code)
		case len(s.Units) == 0:
			return nil, fmt.Errorf("rpl: standard %s has no units", s.Code)
		}
		codes[s.Code] = true
		units := map[string]bool{}
		for _, u := range s.Units {
			if u.Code == "" || units[u.Code] || u.Name["en"] == "" || u.Name["bn"] == "" {
				return nil, fmt.Errorf("rpl: standard %s: unit %q: missing or repeated code, or a name without English and Bangla", s.Code, u.Code)
			}
			units[u.Code] = true
		}
	}
	return &c, nil
}

//go:embed standards.json
var starter []byte

// Starter is the embedded starter catalogue (standards.json), read once;
// callers must not change it.
var Starter = sync.OnceValue(func() *Catalogue {
	c, err := ReadCatalogue(bytes.NewReader(starter))
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return c
})

// Result is an assessor's finding on one unit.
type Result string

const (
	Competent        Result = "competent"
	NotYetCompetent  Result = "not_yet_competent"
	MaxEvidenceNote         = 2000 // characters of a unit's evidence note
	MaxEvidenceItems        = 20   // evidence items of an application
)

// UnitResult is the finding on one unit, with the evidence seen.
type UnitResult struct {
	Unit   string `json:"unit"`
	Result Result `json:"result"`
	Note   string `json:"note,omitempty"`
}

// Status is where an assessment stands.
type Status string

const (
	StatusApplied   Status = "applied"    // evidence of experience received, waiting to be assessed
	StatusAssessed  Status = "assessed"   // results recorded and a decision proposed
	StatusSignedOff Status = "signed_off" // the decision confirmed by a second person
)

// Decision is what an assessment concludes.
type Decision string

const (
	DecisionCertify     Decision = "certify"      // competent in every unit
	DecisionGapTraining Decision = "gap_training" // not yet competent in some: refer to training, then re-assess
)

// Evidence is a piece of evidence of experience abroad.
type Evidence struct {
	Kind string `json:"kind"` // employer_letter, photo, certificate, contract, other
	Note string `json:"note,omitempty"`
}

// EvidenceKinds are the kinds of evidence an application lists.
var EvidenceKinds = []string{"employer_letter", "certificate", "photo", "contract", "other"}

// Assessment is one RPL assessment of a person against a standard.
type Assessment struct {
	ID          string       `json:"id"`
	OrgID       string       `json:"org_id"`
	CaseID      string       `json:"case_id"`
	PersonID    string       `json:"person_id"`
	Standard    string       `json:"standard"`
	Status      Status       `json:"status"`
	Evidence    []Evidence   `json:"evidence"`
	Centre      string       `json:"centre,omitempty"`
	Scheduled   string       `json:"scheduled,omitempty"` // YYYY-MM-DD
	AssessorID  string       `json:"assessor_id,omitempty"`
	AssessedAt  *time.Time   `json:"assessed_at,omitempty"`
	Results     []UnitResult `json:"results"`
	Decision    Decision     `json:"decision,omitempty"`
	SignedOffBy string       `json:"signed_off_by,omitempty"`
	SignedOffAt *time.Time   `json:"signed_off_at,omitempty"`
	Previous    string       `json:"previous,omitempty"` // the assessment this one repeats (re-assessment)
	Version     int          `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
}

// MaxCentre bounds an assessment centre's name.
const MaxCentre = 200

// Schedule sets when and where the candidate is assessed: a day (YYYY-MM-DD,
// not before today) and a centre, while the application waits.
func (a *Assessment) Schedule(day, centre string, today time.Time) error {
	centre = strings.TrimSpace(centre)
	d, err := time.Parse(time.DateOnly, day)
	switch {
	case a.Status != StatusApplied:
		return homeward.Errorf(homeward.ECONFLICT, "rpl.schedule.assessed", "An assessment is scheduled before its results are recorded.")
	case err != nil:
		return homeward.FieldErrorf("scheduled", "rpl.schedule.day", "Give the day as YYYY-MM-DD.")
	case d.Before(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
		return homeward.FieldErrorf("scheduled", "rpl.schedule.past", "The day of the assessment cannot be in the past.")
	case len([]rune(centre)) > MaxCentre:
		return withN(homeward.FieldErrorf("centre", "rpl.centre.too_long", "A centre's name is at most %d characters.", MaxCentre), MaxCentre)
	}
	a.Scheduled, a.Centre = day, centre
	return nil
}

// Gaps returns the units not yet competent.
func (a *Assessment) Gaps() []string {
	var out []string
	for _, r := range a.Results {
		if r.Result != Competent {
			out = append(out, r.Unit)
		}
	}
	return out
}

// withN gives a translated message its {n}.
func withN(e *homeward.Error, n int) error {
	e.Args = map[string]any{"n": n}
	return e
}

// CheckApplication checks a new application's evidence.
func CheckApplication(std *Standard, ev []Evidence) error {
	if std == nil {
		return homeward.FieldErrorf("standard", "rpl.standard.unknown", "Choose a competency standard from the catalogue.")
	}
	if len(ev) > MaxEvidenceItems {
		return withN(homeward.FieldErrorf("evidence", "rpl.evidence.too_many", "An application lists at most %d pieces of evidence.", MaxEvidenceItems), MaxEvidenceItems)
	}
	for _, e := range ev {
		if !slices.Contains(EvidenceKinds, e.Kind) {
			return homeward.FieldErrorf("evidence", "rpl.evidence.kind", "Say what each piece of evidence is.")
		}
		if len([]rune(e.Note)) > MaxEvidenceNote {
			return withN(homeward.FieldErrorf("evidence", "rpl.note.too_long", "A note is at most %d characters.", MaxEvidenceNote), MaxEvidenceNote)
		}
	}
	return nil
}

// Record checks an assessor's results against the standard — every unit
// once, each competent or not yet competent, notes bounded — and records
// them with the decision they make: certify when every unit is competent,
// else gap training. The assessor must be registered for the standard
// (registered), and the assessment must not be signed off yet.
func (a *Assessment) Record(std *Standard, assessorID string, registered bool, results []UnitResult, now time.Time) error {
	switch {
	case a.Status == StatusSignedOff:
		return homeward.Errorf(homeward.ECONFLICT, "rpl.signed_off", "This assessment is signed off; start a re-assessment instead.")
	case !registered:
		return homeward.Errorf(homeward.EFORBIDDEN, "rpl.assessor.not_registered", "You are not registered as an assessor for this standard.")
	case len(results) != len(std.Units):
		return homeward.FieldErrorf("results", "rpl.results.every_unit", "Give a result for every unit of the standard.")
	}
	seen := map[string]bool{}
	out := make([]UnitResult, 0, len(results))
	for _, r := range results {
		r.Note = strings.TrimSpace(r.Note)
		switch {
		case std.Unit(r.Unit) == nil || seen[r.Unit]:
			return homeward.FieldErrorf("results", "rpl.results.every_unit", "Give a result for every unit of the standard.")
		case r.Result != Competent && r.Result != NotYetCompetent:
			return homeward.FieldErrorf("results", "rpl.results.value", "Each unit is competent or not yet competent.")
		case len([]rune(r.Note)) > MaxEvidenceNote:
			return withN(homeward.FieldErrorf("results", "rpl.note.too_long", "A note is at most %d characters.", MaxEvidenceNote), MaxEvidenceNote)
		}
		seen[r.Unit] = true
		out = append(out, r)
	}
	// In the standard's order.
	slices.SortFunc(out, func(x, y UnitResult) int {
		return slices.IndexFunc(std.Units, func(u Unit) bool { return u.Code == x.Unit }) - slices.IndexFunc(std.Units, func(u Unit) bool { return u.Code == y.Unit })
	})
	t := now.UTC()
	a.Results, a.AssessorID, a.AssessedAt, a.Status = out, assessorID, &t, StatusAssessed
	a.Decision = DecisionCertify
	if len(a.Gaps()) > 0 {
		a.Decision = DecisionGapTraining
	}
	return nil
}

// SignOff confirms the assessor's decision: by someone else than the
// assessor, once the results are recorded.
func (a *Assessment) SignOff(by string, now time.Time) error {
	switch {
	case a.Status == StatusSignedOff:
		return homeward.Errorf(homeward.ECONFLICT, "rpl.signed_off", "This assessment is signed off already.")
	case a.Status != StatusAssessed:
		return homeward.Errorf(homeward.ECONFLICT, "rpl.not_assessed", "Record the results before signing off.")
	case by == a.AssessorID:
		return homeward.Errorf(homeward.EFORBIDDEN, "rpl.signoff.same_person", "The decision needs a second person: the assessor cannot sign it off.")
	}
	t := now.UTC()
	a.SignedOffBy, a.SignedOffAt, a.Status = by, &t, StatusSignedOff
	return nil
}

// Certifiable says whether a certificate may be issued from the
// assessment: signed off, competent in every unit.
func (a *Assessment) Certifiable() error {
	if a.Status != StatusSignedOff || a.Decision != DecisionCertify || len(a.Gaps()) > 0 {
		return homeward.Errorf(homeward.ECONFLICT, "rpl.not_certifiable", "A certificate needs a signed-off assessment, competent in every unit.")
	}
	return nil
}
