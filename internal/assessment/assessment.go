// Package assessment is the stored side of Homeward's assessments: the
// records that storage keeps for versioned form definitions, versioned
// scoring schemes and the answers given about people (drafts and completed
// submissions with their flags and scores), the rules about them that need
// no database (a used form version is immutable, one active scheme version,
// which screening flags become case vulnerabilities, rounds and follow-up
// tasks, score history) and the Service the API and the web UI call. The
// pure form and scoring logic lives in internal/form and internal/scoring.
package assessment

import (
	"context"
	"sort"
	"strings"
	"time"

	"homeward"
	"homeward/internal/form"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// Source says where a form or scheme version came from.
type Source string

// Sources of forms and schemes.
const (
	SourceBuiltin     Source = "builtin"     // shipped with Homeward, loaded on first use
	SourceUpload      Source = "upload"      // uploaded by an M&E officer
	SourceCalibration Source = "calibration" // derived from collected answers (schemes only)
)

// FormVersion is one stored version of a form definition.
type FormVersion struct {
	FormID  string    `json:"form_id"`
	Version string    `json:"version"`
	Title   form.Text `json:"title"`
	Source  Source    `json:"source"`
	// Used is set once answers exist for this version; it can then never
	// change (a new version must be uploaded instead).
	Used      bool       `json:"used"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Form      *form.Form `json:"form,omitempty"`
}

// CheckReplace says whether an uploaded form may take the place of the
// stored version with the same id and version: only while no answers exist.
func CheckReplace(existing *FormVersion) error {
	if existing != nil && existing.Used {
		return homeward.FieldErrorf("version", "assessment.form.version_used",
			"Version %s of form %s already has answers and cannot change; give the workbook a new version in its settings sheet.", existing.Version, existing.FormID)
	}
	return nil
}

// SchemeStatus is the life-cycle state of a scheme version.
type SchemeStatus string

// Scheme statuses. A new version (uploaded or calibrated) waits in review
// until an administrator activates it; activating one retires the active one.
const (
	SchemeReview  SchemeStatus = "review"
	SchemeActive  SchemeStatus = "active"
	SchemeRetired SchemeStatus = "retired"
)

// SchemeVersion is one stored version of a scoring scheme. Its ID is also
// the id of the form it scores.
type SchemeVersion struct {
	SchemeID    string               `json:"scheme_id"`
	Version     string               `json:"version"`
	Description string               `json:"description,omitempty"`
	Status      SchemeStatus         `json:"status"`
	Source      Source               `json:"source"`
	CreatedBy   string               `json:"created_by"`
	CreatedAt   time.Time            `json:"created_at"`
	ActivatedBy string               `json:"activated_by,omitempty"`
	ActivatedAt *time.Time           `json:"activated_at,omitempty"`
	Scheme      *scoring.Scheme      `json:"scheme,omitempty"`
	Calibration *scoring.Calibration `json:"calibration,omitempty"`
}

// CheckActivate says whether a scheme version may become the active one:
// only a version in review, and only when it still fits the current form.
func CheckActivate(s *SchemeVersion, current *form.Form) error {
	switch s.Status {
	case SchemeActive:
		return homeward.Errorf(homeward.ECONFLICT, "assessment.scheme.already_active", "This scheme version is already active.")
	case SchemeRetired:
		return homeward.Errorf(homeward.ECONFLICT, "assessment.scheme.retired", "A retired scheme version cannot be activated again; upload it as a new version.")
	}
	if current == nil {
		return homeward.FieldErrorf("scheme_id", "assessment.scheme.no_form", "There is no form %q for this scheme to score.", s.SchemeID)
	}
	if err := s.Scheme.Validate(); err != nil {
		return err
	}
	return s.Scheme.CheckForm(current)
}

// Status of a submission.
type Status string

// Submission statuses: a draft may change; a completed submission is final.
const (
	StatusDraft     Status = "draft"
	StatusCompleted Status = "completed"
)

// Submission is a stored set of answers about one person to one form
// version. Answers keep the version they were given with.
type Submission struct {
	ID          string         `json:"id"`
	OrgID       string         `json:"org_id"`
	PersonID    string         `json:"person_id"`
	CaseID      string         `json:"case_id,omitempty"`
	FormID      string         `json:"form_id"`
	FormVersion string         `json:"form_version"`
	Status      Status         `json:"status"`
	Answers     map[string]any `json:"answers"`
	Calculated  map[string]any `json:"calculated,omitempty"`
	Flags       []form.Flag    `json:"flags"`
	// AnsweredOn is the day the answers were given (YYYY-MM-DD): an
	// interview on paper may be entered later.
	AnsweredOn string `json:"answered_on,omitempty"`
	// Round is the survey round the answers say (baseline, m3 …), if any.
	Round string `json:"round,omitempty"`
	// Window is when a follow-up round was taken against its schedule
	// (early, on_time, late), recorded at completion.
	Window      Window          `json:"window,omitempty"`
	Score       *scoring.Result `json:"score,omitempty"`
	Version     int             `json:"version"`
	CreatedBy   string          `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	CompletedAt *time.Time      `json:"completed_at,omitempty"`
}

// Protected reports whether opening the submission is an audited read:
// a protection screening, or any submission that raised flags.
func (s *Submission) Protected() bool {
	return s.FormID == "protection_screening" || len(s.Flags) > 0
}

// Input is what a client sends to create or change a submission. Answers
// replace the stored answers whole. Status "completed" validates the
// answers strictly and makes the submission final; "draft" (the default)
// keeps whatever was answered so far.
type Input struct {
	FormID     string         `json:"form_id,omitempty"`
	Answers    map[string]any `json:"answers"`
	Status     Status         `json:"status,omitempty"`
	AnsweredOn string         `json:"answered_on,omitempty"`
}

// DateQuestions are the question names whose answer, when the client gives
// no answered_on, says when the answers were given.
var DateQuestions = []string{"interview_date", "screening_date", "assessment_date"}

// AnsweredOn returns the day the answers were given: the explicit date, else
// the first date question of DateQuestions answered, else today. The day
// must not be in the future. today is the current instant in the
// instance's time zone, whose calendar says which day it is.
func AnsweredOn(explicit string, answers map[string]any, today time.Time) (string, error) {
	d := strings.TrimSpace(explicit)
	if d == "" {
		for _, q := range DateQuestions {
			if s, ok := answers[q].(string); ok && s != "" {
				d = s
				break
			}
		}
	}
	if d == "" {
		return homeward.DateOf(today), nil
	}
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return "", homeward.FieldErrorf("answered_on", "assessment.answered_on.invalid", "The date the answers were given must be a date (YYYY-MM-DD).")
	}
	if d = t.Format(time.DateOnly); d > homeward.DateOf(today) {
		return "", homeward.FieldErrorf("answered_on", "assessment.answered_on.future", "The date the answers were given cannot be in the future.")
	}
	return d, nil
}

// DraftAnswers keeps the answers of a draft that name answerable questions
// of f and are not empty; other names are an error (a typo would otherwise
// vanish). Values are kept as given: a draft is checked only on completion.
func DraftAnswers(f *form.Form, answers map[string]any) (map[string]any, error) {
	var v homeward.Validation
	out := map[string]any{}
	for name, val := range answers {
		q := f.Question(name)
		if q == nil || !q.Type.Answerable() {
			if q == nil {
				v.AddArgs(name, "assessment.error.unknown_field", map[string]any{"field": name}, "%q is not a question of this form.", name)
			}
			continue
		}
		switch x := val.(type) {
		case nil:
			continue
		case string:
			if strings.TrimSpace(x) == "" {
				continue
			}
		case []any:
			if len(x) == 0 {
				continue
			}
		case []string:
			if len(x) == 0 {
				continue
			}
		}
		out[name] = val
	}
	return out, v.Err()
}

// FlagVulnerabilities maps screening flags to the case vulnerabilities they
// establish; flags without an entry are shown on the case but change no
// vulnerability.
var FlagVulnerabilities = map[string]registry.Vulnerability{
	"flag_trafficking":         registry.VulnTraffickingVictim,
	"flag_medical_urgent":      registry.VulnUrgentMedical,
	"flag_gbv":                 registry.VulnGBVSurvivor,
	"flag_unaccompanied_minor": registry.VulnUnaccompaniedMinor,
	"flag_self_harm":           registry.VulnMentalHealth,
	"flag_distress":            registry.VulnMentalHealth,
	"flag_destitute":           registry.VulnDestitute,
	"flag_pregnant":            registry.VulnPregnant,
}

// AddVulnerabilities returns the case's vulnerabilities with those the
// flags establish, and the ones that were added.
func AddVulnerabilities(have []registry.Vulnerability, flags []form.Flag) (all, added []registry.Vulnerability) {
	all = append([]registry.Vulnerability(nil), have...)
	seen := map[registry.Vulnerability]bool{}
	for _, v := range have {
		seen[v] = true
	}
	for _, f := range flags {
		v, ok := FlagVulnerabilities[f.Name]
		if ok && !seen[v] {
			seen[v] = true
			all = append(all, v)
			added = append(added, v)
		}
	}
	return all, added
}

// Timeline event kinds of assessments; their summaries are the catalog keys
// registry.timeline.<kind>.
const (
	EventCompleted registry.EventKind = "assessment_completed"
	EventScored    registry.EventKind = "assessment_scored"
	EventFlag      registry.EventKind = "assessment_flag"
)

// SurveyFormID is the form whose completed submissions are the baseline and
// follow-up surveys.
const SurveyFormID = form.SustainabilitySurvey

// TaskKind says what a follow-up task asks for.
type TaskKind string

// Task kinds.
const (
	TaskBaseline TaskKind = "baseline" // no survey yet
	TaskFollowUp TaskKind = "followup" // a scheduled follow-up is due or overdue
)

// Task is one survey a case worker should do now.
type Task struct {
	Kind       TaskKind          `json:"kind"`
	PersonID   string            `json:"person_id"`
	CaseID     string            `json:"case_id"`
	CaseNumber string            `json:"case_number"`
	Name       string            `json:"name"`
	AssignedTo string            `json:"assigned_to,omitempty"`
	FollowUp   *scoring.FollowUp `json:"follow_up,omitempty"`
}

// Overdue reports whether the task is late.
func (t Task) Overdue() bool { return t.FollowUp != nil && t.FollowUp.Status == scoring.Overdue }

// Tasks works out a person's survey tasks at now: a baseline while no survey
// was done, then the scheduled follow-ups that are due or overdue. returned
// is the return date (zero: the case's opening date is used by the caller).
func Tasks(sched scoring.Schedule, returned time.Time, surveys []time.Time, now time.Time) ([]TaskKind, []scoring.FollowUp) {
	if len(surveys) == 0 {
		return []TaskKind{TaskBaseline}, nil
	}
	var kinds []TaskKind
	var fus []scoring.FollowUp
	for _, f := range sched.FollowUps(returned, surveys, now) {
		if f.IsTask() {
			kinds = append(kinds, TaskFollowUp)
			fus = append(fus, f)
		}
	}
	return kinds, fus
}

// ParseReturnDate reads a registry date of any precision ("2026", "2026-03",
// "2026-03-14") as its first day; ok is false when there is none.
func ParseReturnDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Overview is everything about one person's assessments at a glance.
type Overview struct {
	PersonID    string             `json:"person_id"`
	CaseID      string             `json:"case_id,omitempty"`
	Submissions []*Submission      `json:"submissions"`
	Flags       []form.Flag        `json:"flags"`
	Scores      []ScorePoint       `json:"scores"`
	FollowUps   []scoring.FollowUp `json:"follow_ups"`
	// ReturnDate is the date follow-ups count from (YYYY-MM-DD).
	ReturnDate string `json:"return_date,omitempty"`
}

// ScorePoint is one scored survey in a person's score history.
type ScorePoint struct {
	SubmissionID  string              `json:"submission_id"`
	AnsweredOn    string              `json:"answered_on"`
	Round         string              `json:"round,omitempty"`
	SchemeID      string              `json:"scheme_id"`
	SchemeVersion string              `json:"scheme_version"`
	Dimensions    map[string]*float64 `json:"dimensions"`
	Composite     *float64            `json:"composite"`
}

// History returns the score points of completed, scored submissions, oldest
// first, and the flags of the latest completed submission of each form.
func History(subs []*Submission) ([]ScorePoint, []form.Flag) {
	var pts []ScorePoint
	latest := map[string]*Submission{}
	for _, s := range subs {
		if s.Status != StatusCompleted {
			continue
		}
		if l := latest[s.FormID]; l == nil || s.AnsweredOn > l.AnsweredOn || s.AnsweredOn == l.AnsweredOn && s.ID > l.ID {
			latest[s.FormID] = s
		}
		if s.Score == nil {
			continue
		}
		pts = append(pts, ScorePoint{SubmissionID: s.ID, AnsweredOn: s.AnsweredOn, Round: s.Round, SchemeID: s.Score.SchemeID,
			SchemeVersion: s.Score.SchemeVersion, Dimensions: s.Score.Dimensions, Composite: s.Score.Composite})
	}
	sortPoints(pts)
	flags := []form.Flag{}
	seen := map[string]bool{}
	for _, id := range sortedFormIDs(latest) {
		for _, f := range latest[id].Flags {
			if !seen[f.Name] {
				seen[f.Name] = true
				flags = append(flags, f)
			}
		}
	}
	sortFlags(flags)
	return pts, flags
}

// ChartPoints converts score points for scoring.ChartSVG; label names a
// round in the reader's language.
func ChartPoints(pts []ScorePoint, label func(round string) string) []scoring.Point {
	out := make([]scoring.Point, 0, len(pts))
	for _, p := range pts {
		at, err := time.Parse(time.DateOnly, p.AnsweredOn)
		if err != nil {
			continue
		}
		out = append(out, scoring.Point{At: at, Label: label(p.Round), Scores: p.Dimensions})
	}
	return out
}

// SchemeFilter narrows a scheme listing.
type SchemeFilter struct {
	SchemeID string
}

// TaskFilter narrows follow-up tasks: by default the actor's own cases (or,
// for a supervisor, every case of the organisation).
type TaskFilter struct {
	AssignedTo string
	Limit      int
}

// Service is the assessments capability as the API and the UI use it.
// Implementations enforce the authorization policy and write every change
// with its audit event (and, for people, their timeline entries).
type Service interface {
	// Forms: the current version of each form, one version, and uploads.
	ListForms(ctx context.Context) ([]*FormVersion, error)
	FindForm(ctx context.Context, formID, version string) (*FormVersion, error)
	FormVersions(ctx context.Context, formID string) ([]*FormVersion, error)
	ImportForm(ctx context.Context, f *form.Form) (*FormVersion, error)

	// Scoring schemes: versions, uploads (stored for review), calibration
	// from collected answers (stored for review) and activation.
	ListSchemes(ctx context.Context, f SchemeFilter) ([]*SchemeVersion, error)
	FindScheme(ctx context.Context, schemeID, version string) (*SchemeVersion, error)
	UploadScheme(ctx context.Context, s *scoring.Scheme) (*SchemeVersion, error)
	CalibrateScheme(ctx context.Context, schemeID, fromVersion, newVersion string) (*SchemeVersion, error)
	ActivateScheme(ctx context.Context, schemeID, version string) (*SchemeVersion, error)

	// Submissions about people.
	CreateSubmission(ctx context.Context, personID string, in Input) (*Submission, error)
	UpdateSubmission(ctx context.Context, id string, version int, in Input) (*Submission, error)
	FindSubmission(ctx context.Context, id string) (*Submission, error)
	PersonOverview(ctx context.Context, personID string) (*Overview, error)
	FollowUpTasks(ctx context.Context, f TaskFilter) ([]Task, error)
	// DiscardDraft deletes a draft at version; completed ones stay.
	DiscardDraft(ctx context.Context, id string, version int) error
}

func sortPoints(pts []ScorePoint) {
	sort.SliceStable(pts, func(i, j int) bool {
		if pts[i].AnsweredOn != pts[j].AnsweredOn {
			return pts[i].AnsweredOn < pts[j].AnsweredOn
		}
		return pts[i].SubmissionID < pts[j].SubmissionID
	})
}

func sevRank(s string) int {
	for i, x := range form.Severities {
		if s == x {
			return i
		}
	}
	return len(form.Severities)
}

// sortFlags orders flags most severe first, then by name.
func sortFlags(fs []form.Flag) {
	sort.SliceStable(fs, func(i, j int) bool {
		if a, b := sevRank(fs[i].Severity), sevRank(fs[j].Severity); a != b {
			return a < b
		}
		return fs[i].Name < fs[j].Name
	})
}

func sortedFormIDs(m map[string]*Submission) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
