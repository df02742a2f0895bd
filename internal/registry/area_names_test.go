package registry

import (
	"testing"

	"homeward/internal/reference"
)

// The official spellings since 2018 (Cumilla, Barishal, Chattogram,
// Jashore, Bogura) name the same areas as the older ones wherever an area
// name is accepted (issue 22, item 4).
func TestOfficialAreaSpellings(t *testing.T) {
	for name, code := range map[string]string{
		"Cumilla": "BD2019", "Comilla": "BD2019", "cumilla": "BD2019",
		"Barishal": "BD1006", "Barisal": "BD1006",
		"Chattogram": "BD2015", "Jashore": "BD4041", "Bogura": "BD5010",
		"Barishal Sadar": "BD100651", "Bogura Sadar": "BD501020",
	} {
		as := LookupArea(name)
		if len(as) != 1 || as[0].Code != code {
			t.Errorf("LookupArea(%q) = %v, want %s", name, as, code)
		}
	}
	if got := reference.SearchAreas(reference.AreaFilter{Country: "BD", Query: "cumilla"}); len(got) == 0 || got[0].Code != "BD2019" {
		t.Errorf("area search for cumilla: %v", got)
	}
}
