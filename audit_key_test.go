package homeward

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseAuditKeys(t *testing.T) {
	a, b := GenerateAuditKey(), GenerateAuditKey()
	kr, err := ParseAuditKeys(a + "\n" + b + "\n")
	if err != nil {
		t.Fatal(err)
	}
	one, _ := ParseAuditKeys(a)
	two, _ := ParseAuditKeys(" " + b)
	if kr.Primary().ID() != one.Primary().ID() || kr.Key(two.Primary().ID()) == nil || len(kr.Primary().ID()) != 12 {
		t.Errorf("keyring: primary %s, keys %v", kr.Primary().ID(), kr.keys)
	}
	if comma, err := ParseAuditKeys(a + "," + b); err != nil || comma.Key(two.Primary().ID()) == nil {
		t.Errorf("comma-separated: %v", err)
	}
	for _, bad := range []string{"", "  \n", "not base64!", "c2hvcnQ=", a + "\nc2hvcnQ="} {
		if _, err := ParseAuditKeys(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var none *AuditKeyring
	if none.Primary() != nil || none.Key("x") != nil {
		t.Error("nil keyring has a key")
	}
}

// The MAC depends on the key and on every field; the unkeyed hash does not
// depend on the key, which is why it cannot protect the chain.
func TestAuditMAC(t *testing.T) {
	k1, _ := ParseAuditKeys(GenerateAuditKey())
	k2, _ := ParseAuditKeys(GenerateAuditKey())
	e := &AuditEvent{Chain: "c", Seq: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), ActorID: "u", Action: "x.create", RecordType: "x", RecordID: "1"}
	e.Seal(k1.Primary())
	if e.KeyID != k1.Primary().ID() || e.Hash == e.ComputeHash() || e.Hash != e.ComputeMAC(k1.Primary()) || e.Hash == e.ComputeMAC(k2.Primary()) {
		t.Fatalf("sealed: %+v", e)
	}
	v := &ChainVerifier{Chain: "c", Keys: k1}
	v.Check(e)
	v.Finish(1, e.Hash)
	if v.Problem != nil {
		t.Fatalf("good event: %+v", v.Problem)
	}
	f := *e
	f.Action = "x.delete"
	v = &ChainVerifier{Chain: "c", Keys: k1}
	v.Check(&f)
	if v.Problem == nil || v.Problem.Kind != "changed" {
		t.Errorf("changed event: %+v", v.Problem)
	}
	v = &ChainVerifier{Chain: "c", Keys: k2}
	v.Check(e)
	if v.Problem == nil || v.Problem.Kind != "unknown_key" {
		t.Errorf("other key: %+v", v.Problem)
	}
}

func TestCheckpointSignature(t *testing.T) {
	kr, _ := ParseAuditKeys(GenerateAuditKey())
	other, _ := ParseAuditKeys(GenerateAuditKey())
	heads := []ChainHead{{Chain: "a", OrgID: "a", Seq: 3, Hash: "h3"}, {Chain: SystemChain, Seq: 1, Hash: "h1"}}
	cp := SignCheckpoint(kr.Primary(), time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), heads)
	if err := VerifyCheckpoint(kr, cp); err != nil {
		t.Fatal(err)
	}
	rotated := NewAuditKeyring(other.Primary(), kr.Primary())
	if err := VerifyCheckpoint(rotated, cp); err != nil {
		t.Errorf("checkpoint of an older key: %v", err)
	}
	for name, tamper := range map[string]func(c AuditCheckpoint) AuditCheckpoint{
		"hash": func(c AuditCheckpoint) AuditCheckpoint {
			c.Chains = []ChainHead{heads[0], {Chain: SystemChain, Seq: 1, Hash: "h2"}}
			return c
		},
		"org": func(c AuditCheckpoint) AuditCheckpoint {
			c.Chains = []ChainHead{{Chain: "a", OrgID: "b", Seq: 3, Hash: "h3"}, heads[1]}
			return c
		},
		"version": func(c AuditCheckpoint) AuditCheckpoint { c.Version = 2; return c },
		"public key": func(c AuditCheckpoint) AuditCheckpoint {
			c.Public = SignCheckpoint(other.Primary(), c.At, nil).Public
			return c
		},
		"duplicate chain": func(c AuditCheckpoint) AuditCheckpoint {
			return *SignCheckpoint(kr.Primary(), c.At, []ChainHead{heads[0], heads[0]})
		},
	} {
		c := tamper(*cp)
		if err := VerifyCheckpoint(kr, &c); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := VerifyCheckpoint(other, cp); !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), kr.Primary().ID()) {
		t.Errorf("unknown key: %v", err)
	}
}

// A chain whose head was created but holds no event yet (seq 0) verifies,
// with or without a checkpoint that recorded it so.
func TestEmptyChainWithCheckpoint(t *testing.T) {
	v := &ChainVerifier{Chain: "a", Expect: &ChainHead{Chain: "a", OrgID: "a"}}
	v.Finish(0, "")
	if v.Problem != nil {
		t.Errorf("empty chain: %+v", v.Problem)
	}
	if h := v.Head(); h.Seq != 0 || h.Hash != "" || h.OrgID != "a" {
		t.Errorf("head: %+v", h)
	}
}
