package referral

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"homeward/internal/i18n"
)

// Every message key the package and its storage use exists in the
// catalogs (the i18n tests check each has its Bangla translation).
func TestMessageKeysInCatalog(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../sqldb/referral*.go")
	re := regexp.MustCompile(`"((?:referral|error)\.[a-z0-9_.]+[a-z0-9_])"`)
	n := 0
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			key := string(m[1])
			if slices.Contains(States, State(strings.TrimPrefix(key, "referral."))) && key != "referral.expired" {
				continue // audit actions and webhook event types, such as "referral.sent"
			}
			n++
			if !i18n.Has(key) {
				t.Errorf("%s: key %q is not in the catalog", f, key)
			}
		}
	}
	if n < 60 {
		t.Errorf("found only %d keys; is the pattern broken?", n)
	}
	for _, s := range States {
		if k := "registry.timeline.referral_" + string(s); !i18n.Has(k) {
			t.Errorf("timeline key %q missing", k)
		}
	}
}

// Every value of every enumeration has a label, translated.
func TestEnumLabels(t *testing.T) {
	groups := map[string][]string{
		"state": strs(States), "field": strs(Fields), "kind": strs(Kinds), "plan_status": strs(PlanStatuses), "service_status": strs(ServiceStatuses),
		"channel": strs(Channels), "grant_status": strs(GrantStatuses), "session_type": strs(SessionTypes), "training_outcome": strs(TrainingOutcomes),
		"reason": strs(append(append([]Reason{}, DeclineReasons...), NotCompletedReasons...)),
	}
	for _, st := range Standard() {
		groups["service"] = append(groups["service"], st.Code)
	}
	for g, vals := range groups {
		for _, v := range vals {
			key := "referral." + g + "." + v
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
