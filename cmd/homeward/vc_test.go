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
