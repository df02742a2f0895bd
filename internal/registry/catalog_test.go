package registry

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"homeward/internal/i18n"
)

// Every message key the package uses exists in the catalogs (the i18n tests
// check that each English key has its Bangla translation).
func TestMessageKeysInCatalog(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"((?:registry|error)\.[a-z0-9_.]+[a-z0-9_])"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			n++
			if key := string(m[1]); !i18n.Has(key) {
				t.Errorf("%s: key %q is not in the catalog", f, key)
			}
		}
	}
	if n < 50 {
		t.Errorf("found only %d keys; is the pattern broken?", n)
	}
	for _, k := range []EventKind{EventCaseOpened, EventStatusChanged, EventClosed, EventReopened, EventAssigned, EventPriorityChanged,
		EventFlagAdded, EventFlagRemoved, EventPersonUpdated, EventEpisodeAdded, EventConsentRecorded, EventConsentWithdrawn,
		EventReception, EventImported, EventNote} {
		if key := NewCaseEvent("", k, "", now, nil).Summary.Key; !i18n.Has(key) {
			t.Errorf("timeline key %q missing", key)
		}
	}
}

// Every value of every enumeration has a label for the UI.
func TestEnumLabels(t *testing.T) {
	groups := map[string][]string{
		"sex": strs(Sexes), "doctype": strs(DocumentTypes), "relationship": strs(Relationships), "education": strs(EducationLevels),
		"wg": strs(WGAnswers), "sector": strs(Sectors), "visa": strs(VisaTypes), "recruitment": strs(RecruitmentChannels),
		"return_type": strs(ReturnTypes), "arrival_document": strs(ArrivalDocuments), "service": strs(ReceptionServices),
		"purpose": strs(Purposes), "method": strs(ConsentMethods), "status": strs(CaseStatuses), "closure": strs(ClosureReasons),
		"priority": strs(Priorities), "vulnerability": strs(Vulnerabilities), "column": strs(ImportColumns),
		"poe_kind": {"airport", "land_port", "seaport"},
	}
	for _, d := range (Disability{}).Domains() {
		groups["wg_domain"] = append(groups["wg_domain"], d.Name)
	}
	for g, vals := range groups {
		for _, v := range vals {
			key := "registry." + g + "." + v
			if !i18n.Has(key) {
				t.Errorf("label %q missing", key)
			} else if i18n.T("bn", key, nil) == i18n.T("en", key, nil) {
				t.Errorf("label %q is not translated", key)
			}
		}
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
