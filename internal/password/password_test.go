package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	defer UseParams(UseParams(Cheap))
	h := Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	if ok, err := Verify("correct horse battery", h); !ok || err != nil {
		t.Errorf("right password rejected: %v %v", ok, err)
	}
	if ok, _ := Verify("correct horse batterY", h); ok {
		t.Error("wrong password accepted")
	}
	if h == Hash("correct horse battery") {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA"} {
		if _, err := Verify("x", bad); err == nil {
			t.Errorf("Verify accepted malformed hash %q", bad)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret("hw_"), NewSecret("hw_")
	if a == b || !strings.HasPrefix(a, "hw_") || len(a) < 50 {
		t.Errorf("secrets %q %q", a, b)
	}
	if Digest(a) == Digest(b) || len(Digest(a)) != 64 {
		t.Error("digest")
	}
}
