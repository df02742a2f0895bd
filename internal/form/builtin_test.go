package form

import (
	"reflect"
	"testing"
	"time"
)

var testToday = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func TestBuiltinsParse(t *testing.T) {
	want := []string{FamilyAssessment, NeedsAssessment, ProtectionScreening, SustainabilitySurvey, SkillsAssessment, VulnerabilityScreening}
	var got []string
	for _, f := range Builtins() {
		got = append(got, f.ID)
		if f.Version == "" || f.Title["en"] == "" || f.Title["bn"] == "" {
			t.Errorf("%s: version %q title %v", f.ID, f.Version, f.Title)
		}
		if !reflect.DeepEqual(f.Languages, []string{"en", "ar", "bn", "ckb", "ur"}) {
			t.Errorf("%s: languages %v", f.ID, f.Languages)
		}
		for _, q := range f.Questions {
			if q.Type == TypeEndGroup {
				continue
			}
			if q.Type != TypeCalculate || len(q.Label) > 0 {
				if q.Label["en"] == "" || q.Label["bn"] == "" {
					t.Errorf("%s.%s: label missing in a language: %v", f.ID, q.Name, q.Label)
				}
			}
			if !q.Constraint.IsZero() && (q.ConstraintMessage["en"] == "" || q.ConstraintMessage["bn"] == "") {
				t.Errorf("%s.%s: constraint without message in both languages", f.ID, q.Name)
			}
			for _, c := range f.Choices(q) {
				if c.Label["en"] == "" || c.Label["bn"] == "" {
					t.Errorf("%s.%s: choice %s label missing", f.ID, q.Name, c.Name)
				}
			}
		}
		if err := f.Check(); err != nil {
			t.Errorf("%s: Check: %v", f.ID, err)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Builtins = %v, want %v", got, want)
	}
	if Builtin("nope") != nil || BuiltinXLSX(SustainabilitySurvey) == nil {
		t.Error("Builtin lookup")
	}
}

// Each case fills a built-in form and checks which questions skip logic
// keeps, which flags are raised and which errors come back.
func TestBuiltinSkipLogicAndFlags(t *testing.T) {
	tests := []struct {
		form       string
		answers    map[string]any
		kept       []string // answers that must survive
		dropped    []string // answers that must be dropped as irrelevant
		flags      []string
		errorField []string
	}{
		{
			form: VulnerabilityScreening,
			answers: map[string]any{"screening_date": "2026-03-30", "sex": "male", "age": 15, "travelling_alone": "yes",
				"pregnant": "yes", "disability": "no", "chronic_illness": "no", "needs_medical_now": "yes", "shelter_tonight": "no",
				"food_money": "yes", "family_contact": "no", "family_will_receive": "yes"},
			kept:    []string{"travelling_alone"},
			dropped: []string{"pregnant", "family_will_receive"},
			flags:   []string{"flag_unaccompanied_minor", "flag_medical_urgent", "flag_no_shelter", "flag_family_rejection"},
		},
		{
			form: VulnerabilityScreening,
			answers: map[string]any{"screening_date": "2026-03-30", "sex": "female", "age": "30",
				"pregnant": "yes", "disability": "no", "chronic_illness": "no", "needs_medical_now": "no", "shelter_tonight": "yes",
				"food_money": "yes", "family_contact": "yes"},
			kept:  []string{"pregnant"},
			flags: []string{"flag_pregnant"},
		},
		{
			form:       VulnerabilityScreening,
			answers:    map[string]any{"screening_date": "2027-01-01", "sex": "female", "age": 16},
			errorField: []string{"chronic_illness", "disability", "family_contact", "food_money", "needs_medical_now", "screening_date", "shelter_tonight", "travelling_alone"},
		},
		{
			form: NeedsAssessment,
			answers: map[string]any{"assessment_date": "2026-03-01", "priority_needs": "health other", "other_need": "land dispute",
				"health_needs": "back pain", "housing_situation": "none", "debt_amount": 0, "debt_from": []any{"moneylender"}, "preferred_support": "cash"},
			kept:    []string{"other_need", "health_needs"},
			dropped: []string{"debt_from"},
			flags:   []string{"flag_no_housing"},
		},
		{
			form:       NeedsAssessment,
			answers:    map[string]any{"assessment_date": "2026-03-01", "priority_needs": []string{"none", "food"}, "housing_situation": "own", "debt_amount": 50000, "preferred_support": "cash"},
			errorField: []string{"debt_from", "priority_needs"},
		},
		{
			form: SkillsAssessment,
			answers: map[string]any{"country_worked": "SA", "main_isco": "7112", "main_years": 6.5, "main_level": "expert", "main_certificate": "no",
				"main_certificate_details": "x", "has_second_trade": "no", "second_isco": "9313", "languages": "bangla arabic", "education": "primary", "wants_rpl": "yes"},
			dropped: []string{"main_certificate_details", "second_isco"},
		},
		{
			form: SkillsAssessment,
			answers: map[string]any{"country_worked": "SA", "main_isco": "71120", "main_years": 6.5, "main_level": "expert", "main_certificate": "no",
				"has_second_trade": "yes", "languages": "other", "education": "primary", "wants_rpl": "yes"},
			errorField: []string{"main_isco", "other_language", "second_isco", "second_years"},
		},
		{
			form: FamilyAssessment,
			answers: map[string]any{"household_size": 5, "marital_status": "single", "spouse_lives_with": "yes", "children": 3, "children_school_age": 2,
				"children_in_school": 1, "family_reaction": "hostile", "family_conflict": "yes", "main_earner": "yes"},
			dropped: []string{"spouse_lives_with"},
			flags:   []string{"flag_family_violence", "flag_family_rejection", "flag_children_out_of_school"},
		},
		{
			form:       FamilyAssessment,
			answers:    map[string]any{"household_size": 5, "marital_status": "married", "children": 1, "children_school_age": 2, "family_reaction": "welcoming", "family_conflict": "no", "main_earner": "no"},
			errorField: []string{"children_school_age"},
		},
		{
			form:    ProtectionScreening,
			answers: map[string]any{"consent": "no", "deceived": "yes", "documents_withheld": "yes", "urgent_medical": "yes"},
			dropped: []string{"deceived", "documents_withheld", "urgent_medical"},
		},
		{
			form: ProtectionScreening,
			answers: map[string]any{"consent": "yes", "deceived": "yes", "documents_withheld": "yes", "unpaid": "no", "could_leave": "yes", "violence_abroad": "refused",
				"threats_now": "no", "urgent_medical": "yes", "urgent_medical_details": "infected wound", "self_harm": "no", "gbv": "refused", "wants_referral": "yes"},
			kept:  []string{"urgent_medical_details", "wants_referral"},
			flags: []string{"flag_medical_urgent", "flag_trafficking"},
		},
		{
			form: SustainabilitySurvey,
			answers: map[string]any{"round": "m3", "interview_date": "2026-03-31", "income_source": "casual_work", "food_security": "sometimes", "debt_months": 4,
				"productive_assets": "some", "work_access": "difficult", "economic_satisfaction": "dissatisfied", "housing": "adequate", "school_age_children": "no",
				"access_education": "all", "access_health": "yes", "access_documentation": "all", "access_justice": "difficult", "access_water": "always",
				"support_network": "one", "community_participation": "sometimes", "safety_belonging": "yes", "distress": "always", "discrimination": "never",
				"migrate_again": "no", "migrate_reason": "necessity"},
			dropped: []string{"access_education", "migrate_reason"},
			flags:   []string{"flag_distress"},
		},
	}
	for i, tt := range tests {
		f := Builtin(tt.form)
		sub, err := f.Validate(tt.answers, testToday)
		var fields []string
		if err != nil {
			fields = errFields(t, err)
		}
		if !reflect.DeepEqual(fields, tt.errorField) {
			t.Errorf("case %d (%s): error fields %v, want %v (%v)", i, tt.form, fields, tt.errorField, err)
		}
		for _, k := range tt.kept {
			if _, ok := sub.Answers[k]; !ok {
				t.Errorf("case %d (%s): %s dropped", i, tt.form, k)
			}
		}
		for _, k := range tt.dropped {
			if _, ok := sub.Answers[k]; ok {
				t.Errorf("case %d (%s): irrelevant %s kept", i, tt.form, k)
			}
		}
		if err == nil {
			var flags []string
			for _, fl := range sub.Flags {
				flags = append(flags, fl.Name)
				if fl.Label["bn"] == "" {
					t.Errorf("flag %s has no Bangla label", fl.Name)
				}
			}
			if !reflect.DeepEqual(flags, tt.flags) {
				t.Errorf("case %d (%s): flags %v, want %v", i, tt.form, flags, tt.flags)
			}
		}
	}
}
