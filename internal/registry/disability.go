package registry

import "homeward"

// WGAnswer is an answer to one question of the Washington Group Short Set on
// Functioning ("Do you have difficulty seeing, even if wearing glasses?").
type WGAnswer string

// The four answer categories of the Washington Group questions.
const (
	WGNoDifficulty WGAnswer = "no_difficulty"
	WGSome         WGAnswer = "some"
	WGALot         WGAnswer = "a_lot"
	WGCannot       WGAnswer = "cannot"
)

// WGAnswers lists every WGAnswer, least difficulty first.
var WGAnswers = []WGAnswer{WGNoDifficulty, WGSome, WGALot, WGCannot}

// Disability holds the answers to the six Washington Group short-set
// questions. An empty answer means the question was not asked or refused.
type Disability struct {
	Seeing        WGAnswer `json:"seeing,omitempty"`
	Hearing       WGAnswer `json:"hearing,omitempty"`
	Walking       WGAnswer `json:"walking,omitempty"` // walking or climbing steps
	Cognition     WGAnswer `json:"cognition,omitempty"`
	SelfCare      WGAnswer `json:"self_care,omitempty"`
	Communication WGAnswer `json:"communication,omitempty"`
}

// Domains returns the answers by domain name (the JSON names), in the order
// of the questionnaire.
func (d Disability) Domains() []struct {
	Name   string
	Answer WGAnswer
} {
	return []struct {
		Name   string
		Answer WGAnswer
	}{
		{"seeing", d.Seeing}, {"hearing", d.Hearing}, {"walking", d.Walking},
		{"cognition", d.Cognition}, {"self_care", d.SelfCare}, {"communication", d.Communication},
	}
}

// HasDisability applies the Washington Group's recommended cut-off: a person
// has a disability when at least one domain is answered "a lot of
// difficulty" or "cannot do at all".
func (d Disability) HasDisability() bool {
	for _, x := range d.Domains() {
		if x.Answer == WGALot || x.Answer == WGCannot {
			return true
		}
	}
	return false
}

// Complete reports whether all six questions were answered.
func (d Disability) Complete() bool {
	for _, x := range d.Domains() {
		if x.Answer == "" {
			return false
		}
	}
	return true
}

func (d Disability) validate(v *homeward.Validation, field string) {
	for _, x := range d.Domains() {
		if x.Answer != "" && !validChoice(x.Answer, WGAnswers) {
			choiceErr(v, field+"."+x.Name, string(x.Answer))
		}
	}
}
