package main

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"homeward/internal/credential"
)

// A certificate verifies offline; a changed one, a missing file and an
// oversized one are refused with the reason.
func TestCredentialVerifyCommand(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	signed, err := credential.Sign([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"name":"Rahima Begum"}}`), key, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good, bad, big := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json"), filepath.Join(dir, "big.json")
	os.WriteFile(good, signed, 0o600)
	os.WriteFile(bad, []byte(strings.Replace(string(signed), "Rahima", "Rahim", 1)), 0o600)
	os.WriteFile(big, []byte(strings.Repeat(" ", credential.MaxDocument+10)), 0o600)
	out, err := run(t, nil, "", "credential", "verify", good)
	if err != nil || !strings.Contains(out, "valid; signed by "+credential.VerificationMethod(key.Public().(ed25519.PublicKey))+" at 2026-12-01T00:00:00Z") {
		t.Errorf("good: %q %v", out, err)
	}
	for _, f := range []string{bad, big, filepath.Join(dir, "none.json")} {
		if _, err := run(t, nil, "", "credential", "verify", f); err == nil {
			t.Errorf("%s verified", filepath.Base(f))
		}
	}
	if _, err := run(t, nil, "", "credential", "verify"); err == nil {
		t.Error("no file accepted")
	}
}

// A did:web certificate verifies against the DID document given, with a
// retired key too; without the document, or with another issuer's, it
// does not — nothing is fetched.
func TestCredentialVerifyDIDWeb(t *testing.T) {
	oldPub, oldKey, _ := ed25519.GenerateKey(nil)
	newPub, _, _ := ed25519.GenerateKey(nil)
	did := credential.DIDWeb("homeward.example.org", "0190a4c2-7c1e-7000-8000-000000000001")
	b := &credential.Badge{ID: "urn:uuid:0190a4c2-7c1e-7000-8000-000000000002", Issuer: credential.Issuer{Name: "Shapla", DID: did},
		Holder:      credential.Holder{ID: "urn:uuid:0190a4c2-7c1e-7000-8000-000000000003", Name: "Rahima Begum"},
		Achievement: credential.Achievement{ID: "urn:homeward:standard:HW-HOUSE-2", Name: "Housekeeping"}, ValidFrom: time.Now()}
	signed, err := b.Issue(oldKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dd, _ := credential.DIDDocument(did, []ed25519.PublicKey{newPub, oldPub})
	other, _ := credential.DIDDocument(did, []ed25519.PublicKey{newPub})
	dir := t.TempDir()
	cert, docFile, otherFile := filepath.Join(dir, "cert.json"), filepath.Join(dir, "did.json"), filepath.Join(dir, "other.json")
	os.WriteFile(cert, signed, 0o600)
	os.WriteFile(docFile, dd, 0o600)
	os.WriteFile(otherFile, other, 0o600)
	if out, err := run(t, nil, "", "credential", "verify", "--did-document", docFile, cert); err != nil || !strings.Contains(out, "valid; signed by "+did+"#") {
		t.Errorf("with the DID document: %q %v", out, err)
	}
	if _, err := run(t, nil, "", "credential", "verify", cert); err == nil || !strings.Contains(err.Error(), "--did-document") {
		t.Errorf("without the DID document: %v", err)
	}
	if _, err := run(t, nil, "", "credential", "verify", "--did-document", otherFile, cert); err == nil {
		t.Error("verified with a DID document without the key")
	}
}
