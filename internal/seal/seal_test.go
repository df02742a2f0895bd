package seal_test

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward/internal/seal"
)

func newKey(t *testing.T) *seal.Key {
	t.Helper()
	k, err := seal.ParseKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealAndOpen(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	kr := seal.NewKeyring(k1)
	const text = "Reports nightmares about detention."
	ad := []byte("org\x00delivery\x00session")
	s, err := kr.Seal(text, ad)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, text) || !strings.HasPrefix(s, "hwenc:v1:"+k1.ID()+":") || !seal.IsSealed(s) || seal.KeyID(s) != k1.ID() {
		t.Fatalf("sealed form %q", s)
	}
	if again, _ := kr.Seal(text, ad); again == s {
		t.Error("two seals of one text are equal: the nonce is not fresh")
	}
	if got, err := kr.Open(s, ad); err != nil || got != text {
		t.Fatalf("open: %q %v", got, err)
	}
	// A keyring rotated to k2 still opens what k1 sealed.
	if got, err := seal.NewKeyring(k2, k1).Open(s, ad); err != nil || got != text {
		t.Errorf("open after rotation: %q %v", got, err)
	}
	raw, _ := base64.StdEncoding.DecodeString(s[strings.LastIndex(s, ":")+1:])
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	forged := strings.TrimSuffix(s, s[strings.LastIndex(s, ":")+1:]) + base64.StdEncoding.EncodeToString(flipped)
	// Every failure is an error and no text.
	for name, tt := range map[string]struct {
		kr *seal.Keyring
		s  string
		ad []byte
	}{
		"other record":          {kr, s, []byte("org\x00delivery\x00other session")},
		"no associated data":    {kr, s, nil},
		"wrong key":             {seal.NewKeyring(k2), s, ad},
		"wrong key, same id":    {seal.NewKeyring(k2), strings.Replace(s, k1.ID(), k2.ID(), 1), ad},
		"changed ciphertext":    {kr, forged, ad},
		"truncated":             {kr, s[:len(s)-8], ad},
		"no keyring":            {nil, s, ad},
		"unknown version":       {kr, strings.Replace(s, "v1", "v9", 1), ad},
		"not base64":            {kr, "hwenc:v1:" + k1.ID() + ":***", ad},
		"missing key id":        {kr, "hwenc:v1:abc", ad},
		"too short for a nonce": {kr, "hwenc:v1:" + k1.ID() + ":AAAA", ad},
	} {
		if got, err := tt.kr.Open(tt.s, tt.ad); err == nil || got != "" {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
	var none *seal.Keyring
	if _, err := none.Seal(text, ad); !errors.Is(err, seal.ErrNoKey) {
		t.Errorf("seal without key: %v", err)
	}
	if seal.IsSealed(text) || seal.KeyID(text) != "" {
		t.Error("plain text taken for sealed")
	}
}

func TestParseKey(t *testing.T) {
	for _, s := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16)), base64.StdEncoding.EncodeToString(make([]byte, 33))} {
		if _, err := seal.ParseKey(s); err == nil {
			t.Errorf("key %q accepted", s)
		}
	}
	k := seal.GenerateKey()
	a, err := seal.ParseKey(" " + k + "\n")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := seal.ParseKey(k)
	if a.ID() != b.ID() || len(a.ID()) != 12 {
		t.Errorf("key ids %q %q", a.ID(), b.ID())
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "notes.key")
	k, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
	again, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil || created || again.ID() != k.ID() {
		t.Fatalf("reload: %v %v", created, err)
	}
	if _, err := seal.CreateKeyFile(path); err == nil {
		t.Error("an existing key file was replaced")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		os.Chmod(path, mode)
		if _, _, err := seal.LoadOrCreateKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	os.Chmod(path, 0o400)
	if _, err := seal.ReadKeyFile(path); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("hello\n"), 0o600)
	if _, _, err := seal.LoadOrCreateKeyFile(bad); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Errorf("malformed key file: %v", err)
	}
	if b, _ := os.ReadFile(bad); string(b) != "hello\n" {
		t.Error("a malformed key file was replaced")
	}
}
