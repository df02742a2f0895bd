package credential

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// The W3C test vectors of eddsa-jcs-2022 (w3c/vc-di-eddsa, TestVectors/
// keyPair.json and TestVectors/eddsa-jcs-2022/): the key pair, the
// unsigned credential, the hash of its canonical form and the expected
// proof value.
const (
	vectorPublic  = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	vectorPrivate = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	vectorDoc     = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
  "type": ["VerifiableCredential", "AlumniCredential"],
  "name": "Alumni Credential",
  "description": "A minimum viable example of an Alumni Credential.",
  "issuer": "https://vc.example/issuers/5678",
  "validFrom": "2023-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
}`
	vectorCanon   = `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":"2023-01-01T00:00:00Z"}`
	vectorDocHash = "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
	vectorProof   = "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
)

func TestW3CVector(t *testing.T) {
	key, err := PrivateKeyFromMultibase(vectorPrivate)
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	if PublicKeyMultibase(pub) != vectorPublic {
		t.Fatalf("public key %s, want %s", PublicKeyMultibase(pub), vectorPublic)
	}
	canon, err := Canonical([]byte(vectorDoc))
	if err != nil || string(canon) != vectorCanon {
		t.Fatalf("canonical:\n%s\n%v", canon, err)
	}
	if h := sha256.Sum256(canon); hex.EncodeToString(h[:]) != vectorDocHash {
		t.Errorf("document hash %x", h)
	}
	// The vector's examples context is not embedded (Sign refuses it):
	// only the proof is compared here.
	signed, err := signAs([]byte(vectorDoc), key, VerificationMethod(key.Public().(ed25519.PublicKey)), time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC), false)
	if _, err := Sign([]byte(vectorDoc), key, time.Now()); err == nil {
		t.Error("signed with a context not embedded")
	}
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Proof Proof }
	if err := json.Unmarshal(signed, &out); err != nil {
		t.Fatal(err)
	}
	if out.Proof.ProofValue != vectorProof || out.Proof.VerificationMethod != "did:key:"+vectorPublic+"#"+vectorPublic {
		t.Errorf("proof %+v, want value %s", out.Proof, vectorProof)
	}
	v, err := Verify(signed, nil)
	if err != nil || v.Created != "2023-02-24T23:36:38Z" {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

func TestTamperingFails(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	// "level" is no term of the context (Sign refuses it): the proof is
	// what is tested here, so the terms are not checked.
	signed, err := signAs([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"name":"রহিমা বেগম","level":2}}`), key, VerificationMethod(key.Public().(ed25519.PublicKey)), time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(signed, nil); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(string) string{
		"name":          func(s string) string { return strings.Replace(s, "রহিমা", "রহিম", 1) },
		"level":         func(s string) string { return strings.Replace(s, `"level":2`, `"level":3`, 1) },
		"purpose":       func(s string) string { return strings.Replace(s, "assertionMethod", "authentication", 1) },
		"created":       func(s string) string { return strings.Replace(s, `"created":"`, `"created":"1`, 1) },
		"extra member":  func(s string) string { return strings.Replace(s, `{"@context"`, `{"extra":1,"@context"`, 1) },
		"duplicate":     func(s string) string { return strings.Replace(s, `{"@context"`, `{"type":1,"@context"`, 1) },
		"other key":     func(s string) string { return strings.Replace(s, "did:key:z6Mk", "did:key:z6Mj", 1) },
		"no proof":      func(s string) string { return s[:strings.Index(s, `,"proof"`)] + "}" },
		"trailing data": func(s string) string { return s + "{}" },
	} {
		if _, err := Verify([]byte(edit(string(signed))), nil); err == nil {
			t.Errorf("%s: a changed credential verified", name)
		}
	}
	if _, err := Verify([]byte(strings.Repeat(" ", MaxDocument+1)), nil); err == nil {
		t.Error("an oversized document was read")
	}
	if _, err := Sign(signed, key, time.Now()); err == nil {
		t.Error("a document with a proof was signed again")
	}
}

// RFC 8785's examples: numbers printed as ECMAScript does, names sorted by
// UTF-16 code units, strings escaped minimally.
func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		`[56, 1E30, 4.50, 0.002, 1e-7, -0, 1e21, 123456789012345678901, 333333333.33333329]`:        `[56,1e+30,4.5,0.002,1e-7,0,1e+21,123456789012345680000,333333333.3333333]`,
		`{"\u20ac":"Euro","\r":"CR","1":"One","\ud83d\ude00":"Smiley","\u0080":"ctl","\u00f6":"o"}`: `{"\r":"CR","1":"One","` + "\u0080" + `":"ctl","ö":"o","€":"Euro","😀":"Smiley"}`,
		`{"s":"\u000f\n\"\\/"}`: `{"s":"\u000f\n\"\\/"}`,
	} {
		got, err := Canonical([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("Canonical(%s) = %s (%v), want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{`{"a":1,"a":2}`, `[1] [2]`, `{`} {
		if _, err := Canonical([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A returnee's RPL certificate as an Open Badges 3.0 credential: issued by
// the certifying body's did:key, aligned to ISCO-08, verified, and refused
// when another key signed it, before it is valid, or after it expired.
func TestBadge(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := &Badge{ID: "urn:uuid:0195f3a0-0000-7000-8000-000000000001", Issuer: Issuer{Name: "Bangladesh Technical Education Board"},
		Holder: Holder{ID: "urn:homeward:person:0195f3a0", Name: "রহিমা বেগম"},
		Achievement: Achievement{ID: "urn:homeward:standard:masonry:2", Name: "Masonry, Level 2", Criteria: "Competent in all five units of the national standard.",
			Level: "Level 2", ISCOCode: "7112", ISCOName: "Bricklayers and related workers"},
		ValidFrom: from, ValidUntil: from.AddDate(5, 0, 0)}
	signed, err := b.Issue(key, from)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context []string `json:"@context"`
		Type    []string
		Issuer  struct{ ID string }
		Subject struct {
			Name        string
			Achievement struct {
				Alignment []struct{ TargetCode, TargetFramework string }
			}
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(signed, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Context[1] != "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" || doc.Type[1] != "OpenBadgeCredential" ||
		doc.Issuer.ID != DIDKey(key.Public().(ed25519.PublicKey)) || doc.Subject.Name != "রহিমা বেগম" ||
		doc.Subject.Achievement.Alignment[0].TargetCode != "7112" || doc.Subject.Achievement.Alignment[0].TargetFramework != "ISCO-08" {
		t.Errorf("badge: %s", signed)
	}
	if _, err := CheckBadge(signed, from.AddDate(1, 0, 0), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckBadge(signed, from.Add(-time.Hour), nil); err == nil {
		t.Error("valid before its start")
	}
	if _, err := CheckBadge(signed, from.AddDate(5, 0, 0), nil); err == nil {
		t.Error("valid after it expired")
	}
	// Another key's signature over a badge naming this issuer.
	_, other, _ := ed25519.GenerateKey(nil)
	unsigned, _ := b.Document(key.Public().(ed25519.PublicKey))
	forged, err := Sign(unsigned, other, from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckBadge(forged, from.AddDate(1, 0, 0), nil); err == nil {
		t.Error("a badge signed by another key passed as the issuer's")
	}
	if _, err := (&Badge{}).Issue(key, from); err == nil {
		t.Error("an empty badge was issued")
	}
}

// A status list sets exactly the revoked indexes, is the minimum 16 KiB
// long whatever it holds, and its credential verifies as its issuer's.
func TestStatusList(t *testing.T) {
	set := []int{0, 7, 8, 4242, StatusListBits - 1}
	enc, err := EncodeStatusList(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 6, 7, 8, 9, 4241, 4242, 4243, StatusListBits - 2, StatusListBits - 1} {
		got, err := StatusBit(enc, i)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Contains(set, i)
		if got != want {
			t.Errorf("bit %d: %v, want %v", i, got, want)
		}
	}
	if _, err := StatusBit(enc, StatusListBits); err == nil {
		t.Error("a bit past the list was read")
	}
	if _, err := EncodeStatusList([]int{StatusListBits}); err == nil {
		t.Error("an index past the list was set")
	}
	for _, bad := range []string{"", "z123", "u!!!", "u" + strings.Repeat("A", 70<<10)} {
		if _, err := StatusBit(bad, 0); err == nil {
			t.Errorf("%.10q read as a status list", bad)
		}
	}
	_, key, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	doc, err := StatusListCredential("https://homeward.example/credentials/status/org1", key, []int{3}, at)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	subj := v.Document["credentialSubject"].(map[string]any)
	if on, err := StatusBit(subj["encodedList"].(string), 3); err != nil || !on || v.Document["issuer"] != DIDKey(key.Public().(ed25519.PublicKey)) {
		t.Errorf("status list credential: %v %v %v", on, err, v.Document["issuer"])
	}
}
