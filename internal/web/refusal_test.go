package web

import (
	"maps"
	"testing"

	"homeward"
)

// fieldErrs is a validation error on fields, each refused as required.
func fieldErrs(fields ...string) error {
	var v homeward.Validation
	for _, f := range fields {
		v.Add(f, "error.field.required", "This field is required.")
	}
	return v.Err()
}

// A refused field lands at the form's input: an entry of a list at the
// list's input, renamed where the page names the input otherwise.
func TestFormErrorsRename(t *testing.T) {
	const required = "This field is required."
	tests := []struct {
		name    string
		err     error
		rename  func(string) string
		want    []string // the inputs with an error
		summary bool     // a message at the top of the form
	}{
		{"plan line", fieldErrs("services[2].provider_id"), nil, []string{"services"}, false},
		{"plan lines", fieldErrs("services[0].budget.amount", "services[2].provider_id"), nil, []string{"services"}, false},
		{"offer area", fieldErrs("areas[2]"), nil, []string{"areas"}, false},
		{"grant tranche", fieldErrs("grant.tranches[0].amount"), deliveryInputName, []string{"tranches"}, false},
		{"grant tranches and sum", fieldErrs("grant.tranches[1].planned_date", "grant.tranches"), deliveryInputName, []string{"tranches"}, false},
		{"attendance day", fieldErrs("training.attendance[3].hours"), deliveryInputName, []string{"day_date"}, false},
		{"visit", fieldErrs("grant.visits[0].date"), deliveryInputName, []string{"visit_date"}, false},
		{"follow-up", fieldErrs("placement.follow_ups[1].date"), deliveryInputName, []string{"fu_date"}, false},
		{"wage", fieldErrs("placement.wage.amount", "placement.wage.currency"), deliveryInputName, []string{"wage", "currency"}, true},
		{"grant amount", fieldErrs("grant.amount.amount"), deliveryInputName, []string{"amount"}, false},
		{"course", fieldErrs("training.course", "training.start_date"), deliveryInputName, []string{"course", "start_date"}, true},
		{"form's own field", fieldErrs("minutes"), deliveryInputName, []string{"minutes"}, false},
		{"one field", homeward.FieldErrorf("training.course", "error.field.required", required), deliveryInputName, []string{"course"}, false},
		{"catalogue name", fieldErrs("names.bn"), catalogueInputName, []string{"name_bn"}, false},
		{"catalogue shared field", fieldErrs("shared_fields[1]", "code"), catalogueInputName, []string{"shared_fields", "code"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &page{Lang: "en"}
			if err := formErrors(p, tc.err, tc.rename); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, f := range tc.want {
				want[f] = required
			}
			if !maps.Equal(p.Errors, want) {
				t.Errorf("errors %v, want %v", p.Errors, want)
			}
			if summary := p.Error != ""; summary != tc.summary {
				t.Errorf("message at the top %q, want one: %v", p.Error, tc.summary)
			}
		})
	}
}

// The first refusal of an input is the one shown.
func TestFormErrorsFirstOfAnInput(t *testing.T) {
	var v homeward.Validation
	v.Add("grant.tranches[0].amount", "referral.money.amount", "Give an amount above zero.")
	v.Add("grant.tranches", "referral.grant.tranches", "Pay a grant in 1 to 12 tranches.")
	p := &page{Lang: "en"}
	if err := formErrors(p, v.Err(), deliveryInputName); err != nil {
		t.Fatal(err)
	}
	if got := p.Errors["tranches"]; got != "Give an amount above zero." {
		t.Errorf("tranches: %q", got)
	}
}
