package sqldb

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"sort"
	"sync"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/form"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

var _ assessment.Service = (*DB)(nil)

// builtinsLoaded remembers the databases whose built-in forms and default
// scheme are in place, so that the check runs once per process.
var builtinsLoaded sync.Map // *DB → struct{}

// ensureBuiltins stores the built-in forms and, when there is no scheme for
// the survey yet, the shipped default scheme as the active one. It runs on
// first use; inserting is idempotent, so concurrent processes may race.
func (db *DB) ensureBuiltins(ctx context.Context) error {
	if _, ok := builtinsLoaded.Load(db); ok {
		return nil
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	err := db.Transact(sys, func(tx *Tx) error {
		var loaded []string
		for _, f := range form.Builtins() {
			def, err := json.Marshal(f)
			if err != nil {
				return err
			}
			title, _ := json.Marshal(f.Title)
			res, err := tx.Exec(`INSERT INTO assessment_forms (id, form_id, version, title, definition, source, used, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'system', ?, ?) ON CONFLICT DO NOTHING`,
				homeward.NewID(), f.ID, f.Version, string(title), string(def), string(assessment.SourceBuiltin), false, tx.now, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				loaded = append(loaded, f.ID+" "+f.Version)
			}
		}
		s := scoring.Default()
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM scoring_schemes WHERE scheme_id = ?`, s.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			res, err := tx.Exec(`INSERT INTO scoring_schemes (id, scheme_id, version, status, source, definition, created_by, created_at, activated_by, activated_at)
				VALUES (?, ?, ?, ?, ?, ?, 'system', ?, 'system', ?) ON CONFLICT DO NOTHING`,
				homeward.NewID(), s.ID, s.Version, string(assessment.SchemeActive), string(assessment.SourceBuiltin), string(s.MarshalIndent()), tx.now, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				loaded = append(loaded, "scheme "+s.ID+" "+s.Version)
			}
		}
		if len(loaded) == 0 {
			return nil
		}
		return tx.Audit("assessment.builtins_load", "form", "", "", map[string]any{"loaded": loaded})
	})
	if err == nil {
		builtinsLoaded.Store(db, struct{}{})
	}
	return err
}

// ---- forms ----

const formColumns = `form_id, version, title, source, used, created_by, created_at, updated_at`

func scanFormVersion(s scanner, withDef bool) (*assessment.FormVersion, error) {
	fv := &assessment.FormVersion{}
	var title, def string
	dest := []any{&fv.FormID, &fv.Version, &title, &fv.Source, &fv.Used, &fv.CreatedBy, dbTime{&fv.CreatedAt}, dbTime{&fv.UpdatedAt}}
	if withDef {
		dest = append(dest, &def)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(title), &fv.Title); err != nil {
		return nil, err
	}
	if withDef {
		f, err := decodeForm(def)
		if err != nil {
			return nil, err
		}
		fv.Form = f
	}
	return fv, nil
}

// decodeForm reads a stored form definition; Check rebuilds its index so
// that the form may be shared by goroutines.
func decodeForm(def string) (*form.Form, error) {
	f := &form.Form{}
	if err := json.Unmarshal([]byte(def), f); err != nil {
		return nil, err
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	return f, nil
}

func (db *DB) formAccess(ctx context.Context, action homeward.Action) error {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), action, homeward.Resource{Type: "form"}); err != nil {
		return err
	}
	return db.ensureBuiltins(ctx)
}

// ListForms returns the current (newest) version of every form.
func (db *DB) ListForms(ctx context.Context) ([]*assessment.FormVersion, error) {
	if err := db.formAccess(ctx, homeward.ActFormRead); err != nil {
		return nil, err
	}
	return db.listForms(ctx, `SELECT `+formColumns+` FROM assessment_forms f
		WHERE id = (SELECT MAX(id) FROM assessment_forms g WHERE g.form_id = f.form_id) ORDER BY form_id`)
}

// FormVersions returns every version of a form, newest first.
func (db *DB) FormVersions(ctx context.Context, formID string) ([]*assessment.FormVersion, error) {
	if err := db.formAccess(ctx, homeward.ActFormRead); err != nil {
		return nil, err
	}
	list, err := db.listForms(ctx, `SELECT `+formColumns+` FROM assessment_forms WHERE form_id = ? ORDER BY id DESC`, formID)
	if err == nil && len(list) == 0 {
		return nil, homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	return list, err
}

func (db *DB) listForms(ctx context.Context, q string, args ...any) ([]*assessment.FormVersion, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*assessment.FormVersion{}
	for rows.Next() {
		fv, err := scanFormVersion(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, fv)
	}
	return out, rows.Err()
}

// FindForm returns one version of a form with its definition; version ""
// is the current one.
func (db *DB) FindForm(ctx context.Context, formID, version string) (*assessment.FormVersion, error) {
	if err := db.formAccess(ctx, homeward.ActFormRead); err != nil {
		return nil, err
	}
	qr, _ := db.readers(ctx)
	return findForm(qr, formID, version)
}

func findForm(qr func(string, ...any) scanner, formID, version string) (*assessment.FormVersion, error) {
	var row scanner
	if version == "" {
		row = qr(`SELECT `+formColumns+`, definition FROM assessment_forms WHERE form_id = ? ORDER BY id DESC LIMIT 1`, formID)
	} else {
		row = qr(`SELECT `+formColumns+`, definition FROM assessment_forms WHERE form_id = ? AND version = ?`, formID, version)
	}
	fv, err := scanFormVersion(row, true)
	return fv, notFound(err)
}

// ImportForm stores an uploaded form as a new version, or replaces a
// version that has no answers yet; a used version is immutable.
func (db *DB) ImportForm(ctx context.Context, f *form.Form) (*assessment.FormVersion, error) {
	if err := db.formAccess(ctx, homeward.ActFormManage); err != nil {
		return nil, err
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	def, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	title, _ := json.Marshal(f.Title)
	actor := homeward.ActorFromContext(ctx)
	var fv *assessment.FormVersion
	err = db.Transact(ctx, func(tx *Tx) error {
		var used bool
		var id string
		err := tx.QueryRow(`SELECT id, used FROM assessment_forms WHERE form_id = ? AND version = ?`+db.dialect.forUpdate(), f.ID, f.Version).Scan(&id, &used)
		replaced := err == nil
		switch {
		case err == errNoRows:
			_, err = tx.Exec(`INSERT INTO assessment_forms (id, form_id, version, title, definition, source, used, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, homeward.NewID(), f.ID, f.Version, string(title), string(def), string(assessment.SourceUpload), false, actorID(actor), tx.now, tx.now)
		case err != nil:
			return err
		default:
			if err := assessment.CheckReplace(&assessment.FormVersion{FormID: f.ID, Version: f.Version, Used: used}); err != nil {
				return err
			}
			_, err = tx.Exec(`UPDATE assessment_forms SET title = ?, definition = ?, source = ?, created_by = ?, updated_at = ? WHERE id = ? AND NOT used`,
				string(title), string(def), string(assessment.SourceUpload), actorID(actor), tx.now, id)
		}
		if err != nil {
			return err
		}
		qr, _ := tx.readers()
		if fv, err = findForm(qr, f.ID, f.Version); err != nil {
			return err
		}
		return tx.Audit("form.import", "form", f.ID+"@"+f.Version, actorOrg(actor), map[string]any{"form_id": f.ID, "version": f.Version, "replaced": replaced, "questions": len(f.Questions)})
	})
	return fv, err
}

// ---- scoring schemes ----

const schemeColumns = `scheme_id, version, status, source, created_by, created_at, activated_by, activated_at, definition, report`

func scanScheme(s scanner, full bool) (*assessment.SchemeVersion, error) {
	sv := &assessment.SchemeVersion{}
	var def, report string
	if err := s.Scan(&sv.SchemeID, &sv.Version, &sv.Status, &sv.Source, &sv.CreatedBy, dbTime{&sv.CreatedAt}, &sv.ActivatedBy, dbNullTime{&sv.ActivatedAt}, &def, &report); err != nil {
		return nil, err
	}
	sc, err := scoring.ParseScheme(bytes.NewReader([]byte(def)))
	if err != nil {
		return nil, err
	}
	sv.Description = sc.Description
	if full {
		sv.Scheme = sc
		if report != "" {
			sv.Calibration = &scoring.Calibration{}
			if err := json.Unmarshal([]byte(report), sv.Calibration); err != nil {
				return nil, err
			}
		}
	}
	return sv, nil
}

// ListSchemes returns scheme versions, by scheme id and newest first.
func (db *DB) ListSchemes(ctx context.Context, f assessment.SchemeFilter) ([]*assessment.SchemeVersion, error) {
	if err := db.formAccess(ctx, homeward.ActFormRead); err != nil {
		return nil, err
	}
	q := `SELECT ` + schemeColumns + ` FROM scoring_schemes`
	var args []any
	if f.SchemeID != "" {
		q += ` WHERE scheme_id = ?`
		args = append(args, f.SchemeID)
	}
	rows, err := db.query(ctx, q+` ORDER BY scheme_id, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*assessment.SchemeVersion{}
	for rows.Next() {
		sv, err := scanScheme(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// FindScheme returns one scheme version with its definition and any
// calibration report; version "" is the active one.
func (db *DB) FindScheme(ctx context.Context, schemeID, version string) (*assessment.SchemeVersion, error) {
	if err := db.formAccess(ctx, homeward.ActFormRead); err != nil {
		return nil, err
	}
	qr, _ := db.readers(ctx)
	return findScheme(qr, schemeID, version)
}

func findScheme(qr func(string, ...any) scanner, schemeID, version string) (*assessment.SchemeVersion, error) {
	var row scanner
	if version == "" {
		row = qr(`SELECT `+schemeColumns+` FROM scoring_schemes WHERE scheme_id = ? AND status = 'active'`, schemeID)
	} else {
		row = qr(`SELECT `+schemeColumns+` FROM scoring_schemes WHERE scheme_id = ? AND version = ?`, schemeID, version)
	}
	sv, err := scanScheme(row, true)
	return sv, notFound(err)
}

// UploadScheme stores a validated scheme as a new version for review. It
// must fit the current version of the form with the scheme's id; a version
// that exists already is refused (versions never change).
func (db *DB) UploadScheme(ctx context.Context, s *scoring.Scheme) (*assessment.SchemeVersion, error) {
	if err := db.formAccess(ctx, homeward.ActSchemeManage); err != nil {
		return nil, err
	}
	return db.storeScheme(ctx, s, assessment.SourceUpload, nil)
}

func (db *DB) storeScheme(ctx context.Context, s *scoring.Scheme, src assessment.Source, cal *scoring.Calibration) (*assessment.SchemeVersion, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	actor := homeward.ActorFromContext(ctx)
	var sv *assessment.SchemeVersion
	err := db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		fv, err := findForm(qr, s.ID, "")
		if homeward.ErrorCode(err) == homeward.ENOTFOUND {
			return homeward.FieldErrorf("id", "assessment.scheme.no_form", "There is no form %q for this scheme to score.", s.ID)
		} else if err != nil {
			return err
		}
		if err := s.CheckForm(fv.Form); err != nil {
			return err
		}
		report := ""
		if cal != nil {
			c := *cal
			c.Scheme = nil
			b, _ := json.Marshal(c)
			report = string(b)
		}
		_, err = tx.Exec(`INSERT INTO scoring_schemes (id, scheme_id, version, status, source, definition, report, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, homeward.NewID(), s.ID, s.Version, string(assessment.SchemeReview), string(src), string(s.MarshalIndent()), report, actorID(actor), tx.now)
		if isUniqueViolation(err) {
			return homeward.FieldErrorf("version", "assessment.scheme.version_exists", "Version %s of scheme %s exists already; versions never change, so give this one a new version.", s.Version, s.ID)
		} else if err != nil {
			return err
		}
		if sv, err = findScheme(qr, s.ID, s.Version); err != nil {
			return err
		}
		return tx.Audit("scheme."+string(src), "scheme", s.ID+"@"+s.Version, actorOrg(actor), map[string]any{"scheme_id": s.ID, "version": s.Version})
	})
	return sv, err
}

// CalibrateScheme derives new weights from every completed survey scored by
// the scheme's form (principal component analysis) and stores the result as
// a new version for review, with its report. fromVersion "" starts from the
// active version.
func (db *DB) CalibrateScheme(ctx context.Context, schemeID, fromVersion, newVersion string) (*assessment.SchemeVersion, error) {
	if err := db.formAccess(ctx, homeward.ActSchemeManage); err != nil {
		return nil, err
	}
	qr, qs := db.readers(ctx)
	from, err := findScheme(qr, schemeID, fromVersion)
	if err != nil {
		return nil, err
	}
	rows, err := qs(`SELECT answers FROM assessments WHERE form_id = ? AND status = 'completed' ORDER BY id`, schemeID)
	if err != nil {
		return nil, err
	}
	var answers []map[string]any
	for rows.Next() {
		var aj string
		if err := rows.Scan(&aj); err != nil {
			rows.Close()
			return nil, err
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(aj), &m); err != nil {
			rows.Close()
			return nil, err
		}
		answers = append(answers, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cal, err := scoring.Calibrate(from.Scheme, answers, scoring.CalibrateOptions{Version: newVersion, Now: db.Now()})
	if err != nil {
		return nil, err
	}
	return db.storeScheme(ctx, cal.Scheme, assessment.SourceCalibration, cal)
}

// ActivateScheme makes a scheme version in review the active one, retiring
// the version that was active. It must still fit the current form.
func (db *DB) ActivateScheme(ctx context.Context, schemeID, version string) (*assessment.SchemeVersion, error) {
	if err := db.formAccess(ctx, homeward.ActSchemeActivate); err != nil {
		return nil, err
	}
	actor := homeward.ActorFromContext(ctx)
	var sv *assessment.SchemeVersion
	err := db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		var id string
		if err := tx.QueryRow(`SELECT id FROM scoring_schemes WHERE scheme_id = ? AND version = ?`+db.dialect.forUpdate(), schemeID, version).Scan(&id); err != nil {
			return notFound(err)
		}
		var err error
		if sv, err = findScheme(qr, schemeID, version); err != nil {
			return err
		}
		var current *form.Form
		if fv, err := findForm(qr, schemeID, ""); err == nil {
			current = fv.Form
		} else if homeward.ErrorCode(err) != homeward.ENOTFOUND {
			return err
		}
		if err := assessment.CheckActivate(sv, current); err != nil {
			return err
		}
		var previous string
		if err := tx.QueryRow(`SELECT version FROM scoring_schemes WHERE scheme_id = ? AND status = 'active'`, schemeID).Scan(&previous); err != nil && err != errNoRows {
			return err
		}
		if _, err := tx.Exec(`UPDATE scoring_schemes SET status = 'retired' WHERE scheme_id = ? AND status = 'active'`, schemeID); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE scoring_schemes SET status = 'active', activated_by = ?, activated_at = ? WHERE id = ?`, actorID(actor), tx.now, id); err != nil {
			return err
		}
		if sv, err = findScheme(qr, schemeID, version); err != nil {
			return err
		}
		return tx.Audit("scheme.activate", "scheme", schemeID+"@"+version, actorOrg(actor), map[string]any{"scheme_id": schemeID, "version": version, "previous": previous})
	})
	return sv, err
}

// ---- submissions ----

const submissionColumns = `id, org_id, person_id, COALESCE(case_id, ''), form_id, form_version, status, answers, calculated, flags, answered_on, round, round_window, score, version, created_by, created_at, updated_at, completed_at`

func scanSubmission(s scanner) (*assessment.Submission, error) {
	sub := &assessment.Submission{}
	var answers, calc, flags string
	var score *string
	if err := s.Scan(&sub.ID, &sub.OrgID, &sub.PersonID, &sub.CaseID, &sub.FormID, &sub.FormVersion, &sub.Status, &answers, &calc, &flags,
		&sub.AnsweredOn, &sub.Round, &sub.Window, &score, &sub.Version, &sub.CreatedBy, dbTime{&sub.CreatedAt}, dbTime{&sub.UpdatedAt}, dbNullTime{&sub.CompletedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &sub.Answers); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(calc), &sub.Calculated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(flags), &sub.Flags); err != nil {
		return nil, err
	}
	if score != nil {
		sub.Score = &scoring.Result{}
		if err := json.Unmarshal([]byte(*score), sub.Score); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

// CreateSubmission starts a draft (or stores a completed submission at
// once) about a person with the current version of a form.
func (db *DB) CreateSubmission(ctx context.Context, personID string, in assessment.Input) (*assessment.Submission, error) {
	qr, _ := db.readers(ctx)
	org, err := db.personOrg(ctx, qr, personID, homeward.ActAssessmentWrite)
	if err != nil {
		return nil, err
	}
	if err := db.ensureBuiltins(ctx); err != nil {
		return nil, err
	}
	fv, err := findForm(qr, in.FormID, "")
	if homeward.ErrorCode(err) == homeward.ENOTFOUND || in.FormID == "" {
		return nil, homeward.FieldErrorf("form_id", "assessment.form.unknown", "There is no form %q.", in.FormID)
	} else if err != nil {
		return nil, err
	}
	var sub *assessment.Submission
	err = db.Transact(ctx, func(tx *Tx) error {
		sub = &assessment.Submission{ID: homeward.NewID(), OrgID: org, PersonID: personID, FormID: fv.FormID, FormVersion: fv.Version,
			Status: assessment.StatusDraft, Version: 1, CreatedBy: actorID(tx.actor), CreatedAt: tx.now, UpdatedAt: tx.now}
		if err := tx.QueryRow(`SELECT id FROM cases WHERE person_id = ? ORDER BY opened_at DESC LIMIT 1`, personID).Scan(&sub.CaseID); err != nil && err != errNoRows {
			return err
		}
		if err := tx.applyInput(sub, fv.Form, in); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE assessment_forms SET used = ? WHERE form_id = ? AND version = ? AND NOT used`, true, fv.FormID, fv.Version); err != nil {
			return err
		}
		if err := tx.writeSubmission(sub, true); err != nil {
			return err
		}
		if err := tx.afterComplete(sub, fv); err != nil {
			return err
		}
		return tx.Audit("assessment.create", "assessment", sub.ID, org, map[string]any{"person_id": personID, "form_id": sub.FormID, "form_version": sub.FormVersion, "status": sub.Status})
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// UpdateSubmission replaces a draft's answers, and completes it when asked.
// Completed submissions are final; a stale version changes nothing.
func (db *DB) UpdateSubmission(ctx context.Context, id string, version int, in assessment.Input) (*assessment.Submission, error) {
	actor := homeward.ActorFromContext(ctx)
	var sub *assessment.Submission
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		sub, err = scanSubmission(tx.QueryRow(`SELECT `+submissionColumns+` FROM assessments WHERE id = ?`+db.dialect.forUpdate(), id))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActAssessmentWrite, homeward.Resource{Type: "assessment", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActAssessmentWrite, homeward.Resource{Type: "assessment", ID: id, OrgID: sub.OrgID}); err != nil {
			return err
		}
		if sub.Status == assessment.StatusCompleted {
			return homeward.Errorf(homeward.ECONFLICT, "assessment.completed", "This assessment is completed and can no longer change.")
		}
		if sub.Version != version {
			return staleVersion()
		}
		if in.FormID != "" && in.FormID != sub.FormID {
			return homeward.FieldErrorf("form_id", "assessment.form.mismatch", "This assessment uses form %s; the form cannot change.", sub.FormID)
		}
		qr, _ := tx.readers()
		fv, err := findForm(qr, sub.FormID, sub.FormVersion)
		if err != nil {
			return err
		}
		if err := tx.applyInput(sub, fv.Form, in); err != nil {
			return err
		}
		sub.Version++
		sub.UpdatedAt = tx.now
		if err := tx.writeSubmission(sub, false); err != nil {
			return err
		}
		if err := tx.afterComplete(sub, fv); err != nil {
			return err
		}
		return tx.Audit("assessment.update", "assessment", sub.ID, sub.OrgID, map[string]any{"person_id": sub.PersonID, "form_id": sub.FormID, "status": sub.Status})
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// applyInput sets the answers of a draft, or validates and completes it.
func (tx *Tx) applyInput(sub *assessment.Submission, f *form.Form, in assessment.Input) error {
	switch in.Status {
	case "", assessment.StatusDraft:
		answers, err := assessment.DraftAnswers(f, in.Answers)
		if err != nil {
			return err
		}
		sub.Answers, sub.Status = answers, assessment.StatusDraft
		if in.AnsweredOn != "" {
			d, err := assessment.AnsweredOn(in.AnsweredOn, nil, tx.Local())
			if err != nil {
				return err
			}
			sub.AnsweredOn = d
		}
		return nil
	case assessment.StatusCompleted:
	default:
		return homeward.FieldErrorf("status", "error.field.invalid_choice", "%q is not one of the allowed values.", in.Status)
	}
	if in.Answers == nil {
		in.Answers = map[string]any{}
	}
	valid, err := f.Validate(in.Answers, tx.now)
	if err != nil {
		return err
	}
	d, err := assessment.AnsweredOn(in.AnsweredOn, valid.Answers, tx.Local())
	if err != nil {
		return err
	}
	now := tx.now
	sub.Answers, sub.Calculated, sub.Flags = valid.Answers, valid.Calculated, valid.Flags
	sub.Status, sub.AnsweredOn, sub.CompletedAt = assessment.StatusCompleted, d, &now
	if r, ok := valid.Answers["round"].(string); ok {
		sub.Round = r
		if err := tx.roundWindow(sub); err != nil {
			return err
		}
	}
	if sub.Flags == nil {
		sub.Flags = []form.Flag{}
	}
	// Score with the active scheme for this form, if it is valid and fits
	// the version answered; a scheme that does not is never used.
	var def string
	err = tx.QueryRow(`SELECT definition FROM scoring_schemes WHERE scheme_id = ? AND status = 'active'`, sub.FormID).Scan(&def)
	if err == errNoRows {
		return nil
	} else if err != nil {
		return err
	}
	s, err := scoring.ParseScheme(bytes.NewReader([]byte(def)))
	if err != nil || s.CheckForm(f) != nil {
		tx.db.Logger.Warn("active scheme does not fit the form; not scored", "scheme", sub.FormID, "form_version", sub.FormVersion)
		return nil
	}
	res, err := s.Score(sub.Answers)
	if err != nil {
		tx.db.Logger.Warn("answers could not be scored", "scheme", s.ID, "version", s.Version, "err", err)
		return nil
	}
	sub.Score = res
	return nil
}

// roundWindow records the window a completed follow-up round was taken
// in, counted from its case's return date.
func (tx *Tx) roundWindow(sub *assessment.Submission) error {
	if _, ok := assessment.RoundMonths(sub.Round); !ok || sub.CaseID == "" {
		return nil
	}
	var returnDate string
	if err := tx.QueryRow(`SELECT return_date FROM cases WHERE id = ?`, sub.CaseID).Scan(&returnDate); err != nil {
		return err
	}
	returned, ok := assessment.ParseReturnDate(returnDate)
	answered, aok := assessment.ParseReturnDate(sub.AnsweredOn)
	if !ok || !aok {
		return nil
	}
	sub.Window, _ = assessment.RoundWindow(tx.db.followUps(), sub.Round, returned, answered)
	return nil
}

// DiscardDraft deletes a draft assessment at version, for whoever may
// write it; a completed assessment is part of the record and stays.
func (db *DB) DiscardDraft(ctx context.Context, id string, version int) error {
	actor := homeward.ActorFromContext(ctx)
	return db.Transact(ctx, func(tx *Tx) error {
		sub, err := scanSubmission(tx.QueryRow(`SELECT `+submissionColumns+` FROM assessments WHERE id = ?`+db.dialect.forUpdate(), id))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActAssessmentWrite, homeward.Resource{Type: "assessment", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActAssessmentWrite, homeward.Resource{Type: "assessment", ID: id, OrgID: sub.OrgID}); err != nil {
			return err
		}
		if err := assessment.CheckDiscard(sub); err != nil {
			return err
		}
		if sub.Version != version {
			return staleVersion()
		}
		if _, err := tx.Exec(`DELETE FROM assessments WHERE id = ? AND version = ?`, id, version); err != nil {
			return err
		}
		if sub.FormID == assessment.SurveyFormID {
			if err := tx.refreshCaseTasks(sub.PersonID); err != nil {
				return err
			}
		}
		return tx.Audit("assessment.discard", "assessment", sub.ID, sub.OrgID, map[string]any{"person_id": sub.PersonID, "form_id": sub.FormID})
	})
}

func (tx *Tx) writeSubmission(sub *assessment.Submission, insert bool) error {
	answers, _ := json.Marshal(sub.Answers)
	if sub.Calculated == nil {
		sub.Calculated = map[string]any{}
	}
	if sub.Flags == nil {
		sub.Flags = []form.Flag{}
	}
	calc, _ := json.Marshal(sub.Calculated)
	flags, _ := json.Marshal(sub.Flags)
	var score any
	schemeID, schemeVersion := "", ""
	if sub.Score != nil {
		b, _ := json.Marshal(sub.Score)
		score, schemeID, schemeVersion = string(b), sub.Score.SchemeID, sub.Score.SchemeVersion
	}
	var caseID any
	if sub.CaseID != "" {
		caseID = sub.CaseID
	}
	if insert {
		_, err := tx.Exec(`INSERT INTO assessments (id, org_id, person_id, case_id, form_id, form_version, status, answers, calculated, flags, answered_on, round, round_window, scheme_id, scheme_version, score, version, created_by, created_at, updated_at, completed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.ID, sub.OrgID, sub.PersonID, caseID, sub.FormID, sub.FormVersion, string(sub.Status), string(answers), string(calc), string(flags), sub.AnsweredOn, sub.Round, string(sub.Window),
			schemeID, schemeVersion, score, sub.Version, sub.CreatedBy, sub.CreatedAt, sub.UpdatedAt, sub.CompletedAt)
		if err != nil {
			return err
		}
		return tx.afterSurveyWrite(sub)
	}
	res, err := tx.Exec(`UPDATE assessments SET status = ?, answers = ?, calculated = ?, flags = ?, answered_on = ?, round = ?, round_window = ?, scheme_id = ?, scheme_version = ?, score = ?, version = ?, updated_at = ?, completed_at = ?
		WHERE id = ? AND version = ?`, string(sub.Status), string(answers), string(calc), string(flags), sub.AnsweredOn, sub.Round, string(sub.Window), schemeID, schemeVersion, score,
		sub.Version, sub.UpdatedAt, sub.CompletedAt, sub.ID, sub.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return staleVersion()
	}
	return tx.afterSurveyWrite(sub)
}

// afterSurveyWrite recomputes the follow-up tasks of the person's cases
// when sub is a survey that is or was completed (its date may have moved).
func (tx *Tx) afterSurveyWrite(sub *assessment.Submission) error {
	if sub.FormID != assessment.SurveyFormID {
		return nil
	}
	return tx.refreshCaseTasks(sub.PersonID)
}

// afterComplete puts a completed submission on the case: timeline entries
// for the completion, its flags and its score, and the vulnerabilities its
// flags establish.
func (tx *Tx) afterComplete(sub *assessment.Submission, fv *assessment.FormVersion) error {
	if sub.Status != assessment.StatusCompleted || sub.CaseID == "" {
		return nil
	}
	title := fv.Title.Get("en", fv.Form.DefaultLanguage)
	if title == "" {
		title = sub.FormID
	}
	events := []registry.TimelineEvent{registry.NewCaseEvent(sub.CaseID, assessment.EventCompleted, "", tx.now,
		map[string]any{"form": title, "version": sub.FormVersion, "assessment_id": sub.ID})}
	for _, f := range sub.Flags {
		events = append(events, registry.NewCaseEvent(sub.CaseID, assessment.EventFlag, "", tx.now,
			map[string]any{"flag": f.Label.Get("en", fv.Form.DefaultLanguage), "severity": f.Severity, "name": f.Name}))
	}
	if s := sub.Score; s != nil {
		args := map[string]any{"scheme": s.SchemeID + " " + s.SchemeVersion}
		for _, d := range []string{"economic", "social", "psychosocial"} {
			args[d] = scoreArg(s.Dimensions[d])
		}
		args["composite"] = scoreArg(s.Composite)
		events = append(events, registry.NewCaseEvent(sub.CaseID, assessment.EventScored, "", tx.now, args))
	}
	var vj string
	var version int
	if err := tx.QueryRow(`SELECT vulnerabilities, version FROM cases WHERE id = ?`+tx.db.dialect.forUpdate(), sub.CaseID).Scan(&vj, &version); err != nil {
		return err
	}
	var have []registry.Vulnerability
	if err := json.Unmarshal([]byte(vj), &have); err != nil {
		return err
	}
	all, added := assessment.AddVulnerabilities(have, sub.Flags)
	if len(added) > 0 {
		b, _ := json.Marshal(all)
		if _, err := tx.Exec(`UPDATE cases SET vulnerabilities = ?, version = version + 1, updated_at = ? WHERE id = ?`, string(b), tx.now, sub.CaseID); err != nil {
			return err
		}
		for _, v := range added {
			events = append(events, registry.NewCaseEvent(sub.CaseID, registry.EventFlagAdded, "", tx.now, map[string]any{"flag": string(v)}))
		}
	}
	for _, ev := range events {
		if err := tx.addEvent(sub.OrgID, ev); err != nil {
			return err
		}
	}
	return tx.scoreFeedback(sub)
}

// scoreArg renders a score for a timeline message: two decimals, or a dash.
func scoreArg(x *float64) any {
	if x == nil {
		return "–"
	}
	return math.Round(*x*100) / 100
}

// FindSubmission returns one submission if the actor may read it.
func (db *DB) FindSubmission(ctx context.Context, id string) (*assessment.Submission, error) {
	actor := homeward.ActorFromContext(ctx)
	sub, err := scanSubmission(db.queryRow(ctx, `SELECT `+submissionColumns+` FROM assessments WHERE id = ?`, id))
	if err != nil {
		if err := homeward.Authorize(actor, homeward.ActAssessmentRead, homeward.Resource{Type: "assessment", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActAssessmentRead, homeward.Resource{Type: "assessment", ID: id, OrgID: sub.OrgID}); err != nil {
		return nil, err
	}
	return sub, nil
}

// PersonOverview returns a person's submissions (newest first), the flags
// of their latest completed assessments, their score history and their
// follow-up schedule.
func (db *DB) PersonOverview(ctx context.Context, personID string) (*assessment.Overview, error) {
	qr, qs := db.readers(ctx)
	if _, err := db.personOrg(ctx, qr, personID, homeward.ActAssessmentRead); err != nil {
		return nil, err
	}
	ov := &assessment.Overview{PersonID: personID, Submissions: []*assessment.Submission{}, FollowUps: []scoring.FollowUp{}}
	rows, err := qs(`SELECT `+submissionColumns+` FROM assessments WHERE person_id = ? ORDER BY answered_on DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var surveys []time.Time
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, err
		}
		ov.Submissions = append(ov.Submissions, sub)
		if sub.FormID == assessment.SurveyFormID && sub.Status == assessment.StatusCompleted {
			if t, ok := assessment.ParseReturnDate(sub.AnsweredOn); ok {
				surveys = append(surveys, t)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ov.Scores, ov.Flags = assessment.History(ov.Submissions)
	if ov.Scores == nil {
		ov.Scores = []assessment.ScorePoint{}
	}
	var returnDate string
	var opened time.Time
	err = qr(`SELECT id, return_date, opened_at FROM cases WHERE person_id = ? ORDER BY opened_at DESC LIMIT 1`, personID).Scan(&ov.CaseID, &returnDate, dbTime{&opened})
	if err != nil && err != errNoRows {
		return nil, err
	}
	if err == nil {
		start, ok := assessment.ParseReturnDate(returnDate)
		if !ok {
			start = opened
		}
		ov.ReturnDate = start.Format(time.DateOnly)
		ov.FollowUps = db.followUps().FollowUps(start, surveys, db.local(ctx))
	}
	return ov, nil
}

// FollowUpTasks lists the surveys due now on the open cases of the actor's
// organisation: baselines not yet done and follow-ups due or overdue,
// overdue first. Case workers see their own cases unless they name another
// assignee; supervisors see every case unless they name one.
func (db *DB) FollowUpTasks(ctx context.Context, f assessment.TaskFilter) ([]assessment.Task, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActAssessmentRead, homeward.Resource{Type: "assessment", OrgID: org}); err != nil {
		return nil, err
	}
	assigned := f.AssignedTo
	if assigned == "" && actor != nil && !actor.System && !actor.HasRole(homeward.RoleSupervisor) {
		assigned = actor.UserID
	}
	// A supervisor's list, limited, reads the cases that have waited
	// longest once each case's task columns are current (case_tasks.go).
	var cases []taskCaseRow
	var surveys map[string][]time.Time
	var bounded bool
	var err error
	if assigned == "" && f.Limit > 0 {
		if bounded, err = db.tasksCurrent(ctx); err != nil {
			return nil, err
		}
	}
	if bounded {
		cases, surveys, err = db.waitingTaskCases(ctx, org, f.Limit)
	} else {
		cases, surveys, err = db.followUpTaskCases(ctx, org, assigned)
	}
	if err != nil {
		return nil, err
	}
	now := db.Now()
	tasks := []assessment.Task{}
	for _, c := range cases {
		start, ok := assessment.ParseReturnDate(c.returned)
		if !ok {
			start = c.opened
		}
		kinds, fus := assessment.Tasks(db.followUps(), start, surveys[c.person], now)
		for i, k := range kinds {
			t := assessment.Task{Kind: k, PersonID: c.person, CaseID: c.id, CaseNumber: c.number, Name: c.name, AssignedTo: c.assigned}
			if k == assessment.TaskFollowUp {
				fu := fus[i]
				t.FollowUp = &fu
			}
			tasks = append(tasks, t)
		}
	}
	sort.SliceStable(tasks, func(i, j int) bool {
		a, b := tasks[i], tasks[j]
		if a.Overdue() != b.Overdue() {
			return a.Overdue()
		}
		if (a.FollowUp == nil) != (b.FollowUp == nil) {
			return a.FollowUp != nil
		}
		if a.FollowUp != nil && !a.FollowUp.Due.Equal(b.FollowUp.Due) {
			return a.FollowUp.Due.Before(b.FollowUp.Due)
		}
		return a.CaseNumber < b.CaseNumber
	})
	if f.Limit > 0 && len(tasks) > f.Limit {
		tasks = tasks[:f.Limit]
	}
	return tasks, nil
}

// taskCaseRow is an open case as FollowUpTasks weighs it.
type taskCaseRow struct {
	id, number, person, assigned, returned, name string
	opened                                       time.Time
}

// followUpTaskCases reads the open cases of org (assigned to assigned, or
// all) and their people's completed surveys.
func (db *DB) followUpTaskCases(ctx context.Context, org, assigned string) ([]taskCaseRow, map[string][]time.Time, error) {
	q, args := followUpCasesQuery(org, assigned)
	cases, err := db.taskCaseRows(ctx, nil, q, args)
	if err != nil {
		return nil, nil, err
	}
	q, args = db.followUpSurveysQuery(org, assigned)
	surveys, err := db.completedSurveys(ctx, q, args)
	return cases, surveys, err
}

// taskCaseRows appends to cases the rows of a statement of
// followUpCasesQuery's columns.
func (db *DB) taskCaseRows(ctx context.Context, cases []taskCaseRow, q string, args []any) ([]taskCaseRow, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c taskCaseRow
		var given, family string
		if err := rows.Scan(&c.id, &c.number, &c.person, &c.assigned, &c.returned, dbTime{&c.opened}, &given, &family); err != nil {
			return nil, err
		}
		c.name = joinName(given, family)
		cases = append(cases, c)
	}
	return cases, rows.Err()
}

// completedSurveys reads a statement of id, person_id, answered_on into
// each person's survey dates, each survey once.
func (db *DB) completedSurveys(ctx context.Context, q string, args []any) (map[string][]time.Time, error) {
	surveys := map[string][]time.Time{}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id, p, d string
		if err := rows.Scan(&id, &p, &d); err != nil {
			return nil, err
		}
		if t, ok := assessment.ParseReturnDate(d); ok && !seen[id] {
			seen[id] = true
			surveys[p] = append(surveys[p], t)
		}
	}
	return surveys, rows.Err()
}

// followUpCasesQuery is FollowUpTasks' statement for the open cases of org,
// assigned to assigned unless it is "" (a supervisor's view: every open
// case). A user's cases are read from cases_org_assigned, so a case
// worker's tasks cost their caseload, not the registry.
func followUpCasesQuery(org, assigned string) (string, []any) {
	q := `SELECT c.id, c.number, c.person_id, COALESCE(c.assigned_to, ''), c.return_date, c.opened_at, p.given_name, p.family_name
		FROM cases c JOIN people p ON p.id = c.person_id WHERE c.org_id = ? AND c.status <> 'closed' AND p.merged_into IS NULL AND c.merged_into IS NULL`
	args := []any{org}
	if assigned != "" {
		q += ` AND c.assigned_to = ?`
		args = append(args, assigned)
	}
	return q + ` ORDER BY c.id`, args
}

// followUpSurveysQuery is FollowUpTasks' statement for the completed
// surveys it weighs: of the people whose open cases are assigned to
// assigned, read person by person from assessments_person; or, for a
// supervisor's view of every case, the organisation's. The planners are
// kept from the organisation's form index, which by their estimates
// (SQLite's defaults; PostgreSQL's on a young table) looks narrower:
// SQLite is told the index, and on PostgreSQL each person's surveys are a
// lateral subquery it cannot flatten (OFFSET 0), filtered after.
func (db *DB) followUpSurveysQuery(org, assigned string) (string, []any) {
	if assigned == "" {
		return `SELECT id, person_id, answered_on FROM assessments WHERE org_id = ? AND form_id = ? AND status = 'completed'`, []any{org, assessment.SurveyFormID}
	}
	caseload := `FROM cases c WHERE c.org_id = ? AND c.assigned_to = ? AND c.status <> 'closed' AND c.merged_into IS NULL`
	args := []any{org, assigned, org, assessment.SurveyFormID}
	if db.dialect == postgres {
		// A person with two open cases of the caseload gives their
		// surveys twice: FollowUpTasks keeps each survey once, by id.
		return `SELECT a.id, a.person_id, a.answered_on FROM cases c
			CROSS JOIN LATERAL (SELECT id, person_id, answered_on, org_id, form_id, status FROM assessments a0 WHERE a0.person_id = c.person_id OFFSET 0) a
			WHERE c.org_id = ? AND c.assigned_to = ? AND c.status <> 'closed' AND c.merged_into IS NULL
			AND a.org_id = ? AND a.form_id = ? AND a.status = 'completed'`, args
	}
	return `SELECT id, person_id, answered_on FROM assessments INDEXED BY assessments_person WHERE person_id IN (SELECT c.person_id ` + caseload + `)
		AND org_id = ? AND form_id = ? AND status = 'completed'`, args
}

func joinName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}

// followUps returns the follow-up schedule: FollowUpSchedule when set
// (serve's --follow-ups), else the default 3, 6 and 12 months after return.
func (db *DB) followUps() scoring.Schedule {
	if db.FollowUpSchedule != nil {
		return *db.FollowUpSchedule
	}
	return scoring.DefaultSchedule
}
