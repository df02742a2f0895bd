package sqldb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/form"
	"homeward/internal/registry"
	"homeward/internal/scoring"
	"homeward/internal/sqldb"
)

// registerPerson registers a returnee who came back on returned, as the
// NGO's case worker.
func registerPerson(t *testing.T, w *homewardtest.World, returned time.Time, nid string) *registry.Record {
	t.Helper()
	js := fmt.Sprintf(`{"person":{"given_name":"Shahana","family_name":"Begum","sex":"female","date_of_birth":"1990",
		"phones":["01712-345678"],"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}],
		"address":{"admin_area":"BD302602"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":%q,"return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, nid, returned.Format(time.DateOnly))
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return rec
}

func fieldsOf(err error) map[string]bool {
	out := map[string]bool{}
	if e, ok := err.(*homeward.Error); ok {
		if e.Field != "" {
			out[e.Field] = true
		}
		for _, f := range e.Fields {
			out[f.Field] = true
		}
	}
	return out
}

func TestAssessmentFormsAndSchemes(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	opME := w.Ctx("operator", homeward.RoleMEAnalyst)
	opAdmin := w.Ctx("operator", homeward.RoleAdministrator)

	forms, err := db.ListForms(cw)
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != len(form.Builtins()) {
		t.Fatalf("%d forms, want the %d built-ins", len(forms), len(form.Builtins()))
	}
	fv, err := db.FindForm(w.Ctx("ngo", homeward.RoleProviderStaff), "rss", "")
	if err != nil || fv.Form == nil || fv.Source != assessment.SourceBuiltin || fv.Form.Question("food_security") == nil {
		t.Fatalf("rss form: %+v, %v", fv, err)
	}
	active, err := db.FindScheme(cw, "rss", "")
	if err != nil || active.Status != assessment.SchemeActive || active.Scheme == nil {
		t.Fatalf("active scheme: %+v, %v", active, err)
	}
	if _, err := db.FindForm(cw, "nope", ""); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("unknown form: %v", err)
	}

	// Who may upload forms and schemes, and activate them.
	rssForm, err := form.ParseXLSForm(bytes.NewReader(form.BuiltinXLSX("rss")))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"NGO M&E analyst", w.Ctx("ngo", homeward.RoleMEAnalyst), homeward.EFORBIDDEN},
		{"NGO administrator", w.Ctx("ngo", homeward.RoleAdministrator), homeward.EFORBIDDEN},
		{"operator case worker", w.Ctx("operator", homeward.RoleCaseWorker), homeward.EFORBIDDEN},
		{"operator M&E analyst", opME, ""},
	} {
		if _, err := db.ImportForm(c.ctx, rssForm); homewardtest.Code(err) != c.want {
			t.Errorf("%s imports a form: %v, want %q", c.name, err, c.want)
		}
	}

	// A scheme that is valid JSON but names a question the form lacks is
	// rejected with its path; so is one that breaks a rule.
	bad := scoring.Default()
	bad.Version = "2026.9"
	bad.Dimensions[0].Indicators[0].ID = "no_such_question"
	_, err = db.UploadScheme(opME, bad)
	if !fieldsOf(err)["dimensions[0].indicators[0].id"] {
		t.Errorf("unknown indicator: %v", err)
	}
	bad = scoring.Default()
	bad.Version = "2026.9"
	bad.Dimensions[1].Indicators[2].Weight = -1
	if _, err = db.UploadScheme(opME, bad); !fieldsOf(err)["dimensions[1].indicators[2].weight"] {
		t.Errorf("negative weight: %v", err)
	}
	if _, err := db.FindScheme(cw, "rss", "2026.9"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("a rejected scheme was stored: %v", err)
	}

	next := scoring.Default()
	next.Version = "2026.2"
	next.Dimensions[0].Indicators[0].Weight = 3
	if _, err := db.UploadScheme(w.Ctx("ngo", homeward.RoleMEAnalyst), next); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("NGO M&E uploads a scheme: %v", err)
	}
	sv, err := db.UploadScheme(opME, next)
	if err != nil || sv.Status != assessment.SchemeReview || sv.Source != assessment.SourceUpload {
		t.Fatalf("upload: %+v, %v", sv, err)
	}
	if _, err := db.UploadScheme(opME, next); !fieldsOf(err)["version"] {
		t.Errorf("same version again: %v", err)
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"NGO administrator", w.Ctx("ngo", homeward.RoleAdministrator), homeward.EFORBIDDEN},
		{"operator M&E analyst", opME, homeward.EFORBIDDEN},
		{"operator administrator", opAdmin, ""},
	} {
		if _, err := db.ActivateScheme(c.ctx, "rss", "2026.2"); homewardtest.Code(err) != c.want {
			t.Errorf("%s activates: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := db.ActivateScheme(opAdmin, "rss", "2026.2"); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("activate twice: %v", err)
	}
	list, err := db.ListSchemes(cw, assessment.SchemeFilter{SchemeID: "rss"})
	if err != nil || len(list) != 2 || list[0].Version != "2026.2" || list[0].Status != assessment.SchemeActive || list[1].Status != assessment.SchemeRetired {
		t.Fatalf("schemes after activation: %+v, %v", list, err)
	}
	if _, err := db.ActivateScheme(opAdmin, "rss", "2026.1"); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("re-activating a retired version: %v", err)
	}
}

func TestAssessmentSubmissions(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	now := db.Now()
	returned := now.AddDate(0, 0, -100)
	rec := registerPerson(t, w, returned, "1234567890")
	pid := rec.Person.ID

	// Before any survey, the baseline is the case worker's task.
	tasks, err := db.FollowUpTasks(cw, assessment.TaskFilter{})
	if err != nil || len(tasks) != 1 || tasks[0].Kind != assessment.TaskBaseline || tasks[0].PersonID != pid {
		t.Fatalf("tasks before baseline: %+v, %v", tasks, err)
	}

	// Authorization: other organisations do not see the person; roles
	// without case work may not assess.
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"operator case worker", w.Ctx("operator", homeward.RoleCaseWorker), homeward.ENOTFOUND},
		{"operator supervisor", w.Ctx("operator", homeward.RoleSupervisor), homeward.ENOTFOUND},
		{"NGO provider staff", w.Ctx("ngo", homeward.RoleProviderStaff), homeward.EFORBIDDEN},
		{"NGO M&E analyst", w.Ctx("ngo", homeward.RoleMEAnalyst), homeward.EFORBIDDEN},
		{"NGO auditor", w.Ctx("ngo", homeward.RoleAuditor), homeward.EFORBIDDEN},
	} {
		if _, err := db.CreateSubmission(c.ctx, pid, assessment.Input{FormID: "rss"}); homewardtest.Code(err) != c.want {
			t.Errorf("%s creates: %v, want %q", c.name, err, c.want)
		}
		if _, err := db.PersonOverview(c.ctx, pid); homewardtest.Code(err) != c.want {
			t.Errorf("%s reads: %v, want %q", c.name, err, c.want)
		}
	}

	if _, err := db.CreateSubmission(cw, pid, assessment.Input{FormID: "nope"}); !fieldsOf(err)["form_id"] {
		t.Errorf("unknown form: %v", err)
	}
	if _, err := db.CreateSubmission(cw, pid, assessment.Input{FormID: "rss", Answers: map[string]any{"food_securty": "never"}}); !fieldsOf(err)["food_securty"] {
		t.Errorf("unknown question in a draft: %v", err)
	}
	draft, err := db.CreateSubmission(cw, pid, assessment.Input{FormID: "rss", Answers: map[string]any{"food_security": "never", "housing": ""}})
	if err != nil || draft.Status != assessment.StatusDraft || draft.Version != 1 || draft.CaseID != rec.Case.ID || len(draft.Answers) != 1 {
		t.Fatalf("draft: %+v, %v", draft, err)
	}
	if _, err := db.FindSubmission(w.Ctx("operator", homeward.RoleSupervisor), draft.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("other org reads the draft: %v", err)
	}
	if _, err := db.UpdateSubmission(w.Ctx("operator", homeward.RoleCaseWorker), draft.ID, 1, assessment.Input{}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("other org updates the draft: %v", err)
	}

	// The form version is now used: it cannot be replaced.
	rssForm, _ := form.ParseXLSForm(bytes.NewReader(form.BuiltinXLSX("rss")))
	if _, err := db.ImportForm(w.Ctx("operator", homeward.RoleMEAnalyst), rssForm); !fieldsOf(err)["version"] {
		t.Errorf("replacing a used form version: %v", err)
	}

	// Completing with missing answers names them and changes nothing.
	_, err = db.UpdateSubmission(cw, draft.ID, 1, assessment.Input{Status: assessment.StatusCompleted, Answers: map[string]any{"food_security": "never"}})
	if f := fieldsOf(err); !f["housing"] || !f["round"] {
		t.Errorf("incomplete answers: %v", err)
	}
	if got, _ := db.FindSubmission(cw, draft.ID); got.Version != 1 || got.Status != assessment.StatusDraft {
		t.Errorf("a failed completion changed the draft: %+v", got)
	}

	answers := demo.SurveyAnswers(rand.New(rand.NewPCG(1, 2)), demo.Levels{Economic: 0.3, Social: 0.6, Psychosocial: 0.1}, returned.AddDate(0, 0, 5).Format(time.DateOnly), "baseline")
	answers["distress"] = "always"
	done, err := db.UpdateSubmission(cw, draft.ID, 1, assessment.Input{Status: assessment.StatusCompleted, Answers: answers})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if done.Status != assessment.StatusCompleted || done.Version != 2 || done.Score == nil || done.Score.SchemeID != "rss" || done.Score.SchemeVersion != "2026.1" || done.Score.Composite == nil {
		t.Fatalf("completed: %+v score %+v", done, done.Score)
	}
	if done.AnsweredOn != returned.AddDate(0, 0, 5).Format(time.DateOnly) || done.Round != "baseline" {
		t.Errorf("answered on %s round %s", done.AnsweredOn, done.Round)
	}
	if len(done.Flags) == 0 || done.Flags[0].Name != "flag_distress" {
		t.Errorf("flags: %+v", done.Flags)
	}
	if _, err := db.UpdateSubmission(cw, draft.ID, 1, assessment.Input{}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("changing a completed submission: %v", err)
	}

	// The flag reached the case's vulnerabilities and the timeline.
	got, err := db.FindRecord(cw, pid)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(got.Case.Vulnerabilities), string(registry.VulnMentalHealth)) {
		t.Errorf("vulnerabilities: %v", got.Case.Vulnerabilities)
	}
	events, err := db.Timeline(cw, rec.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[registry.EventKind]bool{}
	for _, e := range events {
		kinds[e.Kind] = true
	}
	for _, k := range []registry.EventKind{assessment.EventCompleted, assessment.EventScored, assessment.EventFlag, registry.EventFlagAdded} {
		if !kinds[k] {
			t.Errorf("timeline lacks %s: %+v", k, events)
		}
	}

	// A second draft; a stale version changes nothing.
	d2, err := db.CreateSubmission(cw, pid, assessment.Input{FormID: "protection_screening"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubmission(cw, d2.ID, 1, assessment.Input{Answers: map[string]any{"consent": "yes"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubmission(cw, d2.ID, 1, assessment.Input{Answers: map[string]any{"consent": "no"}}); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale version: %v", err)
	}
	if _, err := db.UpdateSubmission(cw, d2.ID, 2, assessment.Input{Answers: map[string]any{}, AnsweredOn: now.AddDate(0, 0, 3).Format(time.DateOnly)}); !fieldsOf(err)["answered_on"] {
		t.Errorf("answered in the future: %v", err)
	}

	ov, err := db.PersonOverview(w.Ctx("ngo", homeward.RoleSupervisor), pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Submissions) != 2 || len(ov.Scores) != 1 || len(ov.Flags) != 1 || len(ov.FollowUps) != 3 || ov.CaseID != rec.Case.ID {
		t.Errorf("overview: %d submissions, %d scores, %d flags, %d follow-ups", len(ov.Submissions), len(ov.Scores), len(ov.Flags), len(ov.FollowUps))
	}
	if ov.FollowUps[0].Status != scoring.Due {
		t.Errorf("3-month follow-up 100 days after return: %s", ov.FollowUps[0].Status)
	}
	tasks, err = db.FollowUpTasks(cw, assessment.TaskFilter{})
	if err != nil || len(tasks) != 1 || tasks[0].Kind != assessment.TaskFollowUp || tasks[0].FollowUp.Months != 3 {
		t.Fatalf("tasks after baseline: %+v, %v", tasks, err)
	}
	// Another case worker has no tasks; the supervisor sees the team's.
	if tasks, _ := db.FollowUpTasks(w.Ctx("ngo", homeward.RoleSupervisor), assessment.TaskFilter{}); len(tasks) != 1 {
		t.Errorf("supervisor's tasks: %+v", tasks)
	}
	if _, err := db.FollowUpTasks(w.Ctx("ngo", homeward.RoleMEAnalyst), assessment.TaskFilter{}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("M&E analyst's tasks: %v", err)
	}
	if tasks, _ := db.FollowUpTasks(w.Ctx("operator", homeward.RoleSupervisor), assessment.TaskFilter{}); len(tasks) != 0 {
		t.Errorf("operator sees the NGO's tasks: %+v", tasks)
	}
}

func TestAssessmentCalibration(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	r := rand.New(rand.NewPCG(3, 4))
	now := db.Now()
	for i := range 24 {
		rec := registerPerson(t, w, now.AddDate(0, 0, -30), fmt.Sprintf("12345678%02d", i))
		x := r.Float64()
		l := demo.Levels{Economic: x, Social: 0.5*x + 0.3*r.Float64(), Psychosocial: 0.7*x + 0.2*r.Float64()}
		in := assessment.Input{FormID: "rss", Status: assessment.StatusCompleted, Answers: demo.SurveyAnswers(r, l, now.AddDate(0, 0, -20).Format(time.DateOnly), "baseline")}
		if _, err := db.CreateSubmission(cw, rec.Person.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CalibrateScheme(w.Ctx("ngo", homeward.RoleMEAnalyst), "rss", "", ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("NGO M&E calibrates: %v", err)
	}
	sv, err := db.CalibrateScheme(w.Ctx("operator", homeward.RoleMEAnalyst), "rss", "", "2026.1-pca")
	if err != nil {
		t.Fatalf("calibrate: %v", err)
	}
	if sv.Status != assessment.SchemeReview || sv.Source != assessment.SourceCalibration || sv.Calibration == nil || sv.Calibration.Rows != 24 {
		t.Fatalf("calibrated: %+v", sv)
	}
	// Nothing changes until an administrator activates it.
	if a, _ := db.FindScheme(cw, "rss", ""); a.Version != "2026.1" {
		t.Errorf("active version %s", a.Version)
	}
}

// TestExportRefusesBrokenVulnerabilities checks that an export stops with an
// error on a case whose stored vulnerabilities do not read (it used to drop
// them silently and export the case without them).
func TestExportRefusesBrokenVulnerabilities(t *testing.T) {
	w := homewardtest.NewWorld(t)
	rec := registerPerson(t, w, w.DB.Now().AddDate(0, 0, -30), "1234567801")
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	count := func() (int, error) {
		n := 0
		err := w.DB.Export(sup, registry.SearchFilter{}, func(*registry.ExportRecord) error { n++; return nil })
		return n, err
	}
	if n, err := count(); n != 1 || err != nil {
		t.Fatalf("export before: %d %v", n, err)
	}
	if _, err := sqldb.RawDB(t, w.DB).Exec(sqldb.Rebind(w.DB, `UPDATE cases SET vulnerabilities = ? WHERE id = ?`), "{broken", rec.Case.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := count(); err == nil || !strings.Contains(err.Error(), "vulnerabilities") {
		t.Errorf("export of a broken case: %v", err)
	}
}
