package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A credential is signed only when every term is defined by its embedded
// contexts, through their property- and type-scoped contexts: an unknown
// property at the top or deep in the achievement, an unknown type, an
// unknown context are refused with what and where.
func TestSignRefusesUndefinedTerms(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := &Badge{ID: "urn:uuid:0190a4c2-7c1e-7000-8000-000000000002", Issuer: Issuer{Name: "Shapla"},
		Holder:      Holder{ID: "urn:uuid:0190a4c2-7c1e-7000-8000-000000000003", Name: "Rahima Begum"},
		Achievement: Achievement{ID: "urn:homeward:standard:HW-HOUSE-2", Name: "Housekeeping", Criteria: "…", Level: "Level 2", ISCOCode: "9111", ISCOName: "Domestic cleaners"},
		ValidFrom:   at, ValidUntil: at.AddDate(10, 0, 0), Status: &StatusEntry{ListURL: "https://h.example/credentials/status/x", Index: 3}}
	doc, err := b.Document(key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(doc, key, at); err != nil {
		t.Fatalf("our badge: %v", err)
	}
	if _, err := StatusListCredential("https://h.example/credentials/status/x", key, []int{1}, at); err != nil {
		t.Fatalf("our status list: %v", err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(doc, &m)
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	subject := func(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
	for name, tc := range map[string]struct {
		doc  []byte
		want string
	}{
		"unknown top-level property": {edit(func(m map[string]any) { m["nationalID"] = "1234" }), `property "nationalID" at the top`},
		"unknown subject property":   {edit(func(m map[string]any) { subject(m)["passport"] = "X1" }), `property "passport" at /credentialSubject`},
		"unknown achievement property": {edit(func(m map[string]any) {
			subject(m)["achievement"].(map[string]any)["grade"] = "A"
		}), `property "grade" at /credentialSubject/achievement`},
		"term of another type's context": {edit(func(m map[string]any) { m["achievement"] = "x" }), `property "achievement" at the top`},
		"unknown type":                   {edit(func(m map[string]any) { m["type"] = []any{"VerifiableCredential", "DiplomaCredential"} }), `type DiplomaCredential`},
		"unknown context":                {edit(func(m map[string]any) { m["@context"] = append(m["@context"].([]any), "https://example.org/ctx") }), "https://example.org/ctx is not one embedded"},
	} {
		_, err := Sign(tc.doc, key, at)
		if err == nil || !strings.Contains(err.Error(), "refusing to sign") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A term by its full IRI is defined.
	if _, err := Sign(edit(func(m map[string]any) { m["https://schema.org/comment"] = "ok" }), key, at); err != nil {
		t.Errorf("absolute IRI: %v", err)
	}
}
