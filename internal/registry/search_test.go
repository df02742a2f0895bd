package registry

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"homeward"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in     string
		id     string
		tokens []string
		key    string // error key, "" when accepted
	}{
		{"", "", nil, ""},
		{"  Rahima   Begum ", "", []string{"rahima", "begum"}, ""},
		{"Md. Rafiqul Islam", "", []string{"rafiqul", "islam"}, ""},
		{"islam islam rafiqul", "", []string{"islam", "rafiqul"}, ""},
		{"M Rahman", "", []string{"m", "rahman"}, ""},
		{"রহিমা বেগম", "", []string{"রহিমা", "বেগম"}, ""},
		{"01712-345678", "01712-345678", nil, ""},
		{"BGD-2026-000123", "BGD-2026-000123", nil, ""},
		{"a", "", nil, "search.too_short"},
		{"a b c", "", nil, "search.too_short"},
		{"!!!", "", nil, "registry.search.empty"},
		{strings.Repeat("x", MaxQueryRunes+1), "", nil, "search.too_long"},
		{strings.Repeat("ab ", MaxQueryTokens+1), "", nil, "search.too_long"},
		{strings.Repeat("০", 10_000), "", nil, "search.too_long"},
	}
	for _, tc := range tests {
		name := tc.in
		if len(name) > 30 {
			name = name[:30]
		}
		t.Run(name, func(t *testing.T) {
			q, err := ParseQuery(tc.in)
			var he *homeward.Error
			switch {
			case tc.key == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.key != "" && (!errors.As(err, &he) || he.Key != tc.key || he.Field != "q"):
				t.Fatalf("error %v, want %s on q", err, tc.key)
			}
			if q.Identifier != tc.id || !slices.Equal(q.Tokens, tc.tokens) {
				t.Errorf("got %+v", q)
			}
		})
	}
}

func TestSearchFingerprint(t *testing.T) {
	q := Query{Tokens: []string{"rahima"}}
	base := SearchFilter{}.Fingerprint(q)
	for _, f := range []SearchFilter{{Status: StatusClosed}, {District: "BD30"}, {Sex: SexFemale}, {ReturnType: ReturnDeported}, {AssignedTo: "u"}} {
		if f.Fingerprint(q) == base {
			t.Errorf("%+v has the fingerprint of no filter", f)
		}
	}
	if (SearchFilter{}).Fingerprint(Query{Tokens: []string{"rahim"}}) == base || (SearchFilter{}).Fingerprint(Query{Identifier: "rahima"}) == base {
		t.Error("another query has the same fingerprint")
	}
	// Only the search counts, not how it was typed or the page.
	if (SearchFilter{Query: "RAHIMA", After: "x", Limit: 3}).Fingerprint(q) != base {
		t.Error("the fingerprint depends on the typed query or the page")
	}
}
