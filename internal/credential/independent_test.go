package credential

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// independentVerifier returns the path of tools/vc-verify/verify.mjs, the
// Digital Bazaar verifier, from HOMEWARD_VC_VERIFIER (the script or its
// directory, with node_modules installed); the test is skipped without it.
// Once it is set, a verifier that cannot run fails the test.
func independentVerifier(t *testing.T) string {
	t.Helper()
	p := os.Getenv("HOMEWARD_VC_VERIFIER")
	if p == "" {
		t.Skip("independent verifier not configured: run `npm ci` in tools/vc-verify and set HOMEWARD_VC_VERIFIER to tools/vc-verify/verify.mjs (.ci/run does)")
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		p = filepath.Join(p, "verify.mjs")
	}
	p, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("HOMEWARD_VC_VERIFIER: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p), "node_modules")); err != nil {
		t.Fatalf("HOMEWARD_VC_VERIFIER: no node_modules beside %s (run npm ci there): %v", p, err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("HOMEWARD_VC_VERIFIER is set but node is not found: %v", err)
	}
	return p
}

// runVerifier writes doc to a temporary file and runs the verifier on it,
// returning its exit code and output.
func runVerifier(t *testing.T, script string, doc []byte) (int, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "credential.json") // removed after the test
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "node", script, file)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode(), out.String()
	default:
		t.Fatalf("running the verifier: %v\n%s", err, out.String())
		return -1, ""
	}
}

// edit decodes a credential, lets change alter it and encodes it again.
func edit(t *testing.T, doc []byte, change func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The credentials Homeward issues verify with an independent verifier, the
// Digital Bazaar JavaScript libraries (tools/vc-verify), offline and with
// the JSON-LD contexts expanded in safe mode; a tampered credential, one
// signed by another key in the issuer's name, one with a term that no
// context defines and one whose context is not shipped with the verifier
// (it never goes to the network) are refused.
func TestIndependentVerifier(t *testing.T) {
	script := independentVerifier(t)
	now := time.Now().UTC().Truncate(time.Second)
	_, key, _ := ed25519.GenerateKey(nil)
	pub := key.Public().(ed25519.PublicKey)
	listURL := "https://homeward.example.org/credentials/status/0195f3a0-0000-7000-8000-00000000000a"
	b := &Badge{
		ID:     "urn:uuid:0195f3a0-0000-7000-8000-000000000042",
		Issuer: Issuer{Name: "Bangladesh Technical Education Board", URL: "https://bteb.example.org/"},
		Holder: Holder{ID: "urn:uuid:0195f3a0-0000-7000-8000-000000000007", Name: "আব্দুল করিম"},
		Achievement: Achievement{
			ID: "urn:homeward:standard:masonry-2", Name: "Masonry (রাজমিস্ত্রি)",
			Description: "National competency standard for masonry, level 2.",
			Criteria:    "Competent in every unit of the national standard, assessed by a registered assessor.",
			Level:       "Level 2", ISCOCode: "7112", ISCOName: "Bricklayers and related workers",
		},
		ValidFrom: now.Add(-time.Minute), ValidUntil: now.AddDate(5, 0, 0),
		Status: &StatusEntry{ListURL: listURL, Index: 41},
	}
	signed, err := b.Issue(key, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckBadge(signed, now, nil); err != nil {
		t.Fatalf("our own verifier refuses the credential: %v", err)
	}
	list, err := StatusListCredential(listURL, key, []int{3, 41}, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := b.Document(pub)
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	forged, err := Sign(unsigned, other, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	withNickname := edit(t, unsigned, func(m map[string]any) {
		m["credentialSubject"].(map[string]any)["nickname"] = "Karim"
	})
	// Sign refuses it (CheckTerms); signed regardless, the outside
	// verifier refuses it too.
	if _, err := Sign(withNickname, key, now.Add(-time.Minute)); err == nil || !strings.Contains(err.Error(), `"nickname"`) {
		t.Errorf("signed an undefined term: %v", err)
	}
	undefined, err := signAs(withNickname, key, VerificationMethod(pub), now.Add(-time.Minute), false)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		doc  []byte
		exit int
		want string // in the verifier's output
	}{
		{"issued", signed, 0, "VERIFIED: " + b.ID},
		{"status list", list, 0, "VERIFIED: " + listURL},
		{"holder's name changed", edit(t, signed, func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["name"] = "আব্দুল রহিম"
		}), 1, "NOT VERIFIED: Invalid signature"},
		{"validity extended", edit(t, signed, func(m map[string]any) {
			m["validUntil"] = now.AddDate(50, 0, 0).Format(time.RFC3339)
		}), 1, "NOT VERIFIED: Invalid signature"},
		{"another key in the issuer's name", forged, 1, "issuer must match"},
		{"an undefined term", undefined, 1, "JSON-LD (safe mode)"},
		{"a context it would have to fetch", edit(t, signed, func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://homeward.example.org/context.json")
		}), 1, "refusing to load"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exit, out := runVerifier(t, script, c.doc)
			if exit != c.exit || !strings.Contains(out, c.want) {
				t.Fatalf("verifier exited %d (want %d, output containing %q):\n%s", exit, c.exit, c.want, out)
			}
			t.Logf("exit %d: %s", exit, strings.TrimSpace(out))
		})
	}
	t.Run("usage", func(t *testing.T) {
		var out bytes.Buffer
		cmd := exec.Command("node", script)
		cmd.Stdout, cmd.Stderr = &out, &out
		var exit *exec.ExitError
		if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Fatalf("without a file: %v\n%s", err, out.String())
		}
	})
}
