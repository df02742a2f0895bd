package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"homeward"
)

// The administrator's signing page: the current key's fingerprint and
// creation, rotation only once confirmed (audited), retired keys listed;
// did:web chosen once the instance has an https address, and its DID
// document served to anyone with current and retired keys. Others cannot
// use the page.
func TestIssuerKeyRotationPage(t *testing.T) {
	b, w := newBrowser(t)
	admin, sup := b.as(w, "ngo", homeward.RoleAdministrator), b.as(w, "ngo", homeward.RoleSupervisor)
	if status, _ := sup.get("/issuer"); status != http.StatusForbidden {
		t.Errorf("supervisor sees the signing page: %d", status)
	}
	_, page := admin.get("/issuer")
	if !strings.Contains(page, `id="key-none"`) || !strings.Contains(page, `id="did-web-unavailable"`) || !strings.Contains(page, `id="nav-issuer"`) {
		t.Fatalf("signing page without a key:\n%.2000s", page)
	}
	tok := csrf(t, page)
	if status, body := admin.post("/issuer/rotate", url.Values{"csrf_token": {tok}}); status != 400 || !strings.Contains(body, "Tick the box") {
		t.Errorf("rotation unconfirmed: %d", status)
	}
	if status, _ := sup.post("/issuer/rotate", url.Values{"csrf_token": {csrf(t, func() string { _, p := sup.get("/home"); return p }())}, "confirm": {"yes"}}); status != http.StatusForbidden {
		t.Errorf("supervisor rotates: %d", status)
	}
	for range 2 {
		if status, body := admin.post("/issuer/rotate", url.Values{"csrf_token": {tok}, "confirm": {"yes"}}); status != 200 || !strings.Contains(body, "Signing key rotated") || !strings.Contains(body, `id="key-fingerprint"`) {
			t.Fatalf("rotate: %d %.500s", status, body)
		}
	}
	_, page = admin.get("/issuer")
	if n := strings.Count(page, `class="key-retired"`); n != 1 {
		t.Errorf("%d retired keys listed, want 1", n)
	}
	evs, _, _ := w.DB.FindAuditEvents(w.Ctx("ngo", homeward.RoleAuditor), homeward.AuditFilter{Limit: 500})
	rotations := 0
	for _, e := range evs {
		if e.Action == "credential.key_rotated" {
			rotations++
		}
	}
	if rotations != 2 {
		t.Errorf("%d rotations audited, want 2", rotations)
	}

	// did:web: refused without an https address, then chosen.
	if status, _ := admin.post("/issuer/did", url.Values{"csrf_token": {tok}, "method": {"web"}}); status != 400 {
		t.Errorf("did:web without an https address: %d", status)
	}
	w.DB.DIDWebHost = "homeward.example.org"
	if status, body := admin.post("/issuer/did", url.Values{"csrf_token": {tok}, "method": {"web"}}); status != 200 || !strings.Contains(body, "did:web:homeward.example.org:orgs:"+w.NGO.ID) {
		t.Fatalf("choose did:web: %d %.500s", status, body)
	}
	res, err := http.Get(b.base + "/orgs/" + w.NGO.ID + "/did.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/did+ld+json" || strings.Count(string(doc), `"type":"Multikey"`) != 2 {
		t.Errorf("DID document: %d %s", res.StatusCode, doc)
	}
	if res, err := http.Get(b.base + "/orgs/" + homeward.NewID() + "/did.json"); err != nil || res.StatusCode != 404 {
		t.Errorf("DID document of no organisation: %v %v", res.StatusCode, err)
	}
}
