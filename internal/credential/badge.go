package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// The JSON-LD contexts of an Open Badges 3.0 credential, in the order the
// specification gives them.
var badgeContexts = []string{
	"https://www.w3.org/ns/credentials/v2",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
}

// Achievement is what a certificate certifies: a competency standard at a
// level, with its criteria and its place in ISCO-08.
type Achievement struct {
	ID          string // a URL or URN naming the standard and level
	Name        string
	Description string
	Criteria    string // the criteria, in words
	Level       string // "Level 2"
	ISCOCode    string // "7112" (bricklayers)
	ISCOName    string
}

// Holder is the person certified: their name and the identifier the
// issuer knows them by (a URN, never a national ID).
type Holder struct {
	ID   string
	Name string
}

// Issuer is the certifying organisation, identified by its did:key, or by
// its did:web when DID is set.
type Issuer struct {
	Name string
	URL  string // optional
	DID  string // a did:web (DIDWeb); empty: the signing key's did:key
}

// Badge is an Open Badges 3.0 OpenBadgeCredential, unsigned.
type Badge struct {
	ID          string // "urn:uuid:…"
	Issuer      Issuer
	Holder      Holder
	Achievement Achievement
	ValidFrom   time.Time
	ValidUntil  time.Time    // zero: no end
	Status      *StatusEntry // nil: no revocation list
}

// Document writes the badge as a VC 2.0 document issued by b.Issuer.DID,
// or else key's did:key.
func (b *Badge) Document(key ed25519.PublicKey) ([]byte, error) {
	if b.ID == "" || b.Holder.ID == "" || b.Holder.Name == "" || b.Achievement.ID == "" || b.Achievement.Name == "" || b.Issuer.Name == "" || b.ValidFrom.IsZero() {
		return nil, errors.New("credential: a badge needs an id, a holder's id and name, an achievement's id and name, an issuer's name and a start")
	}
	did := b.Issuer.DID
	if did == "" {
		did = DIDKey(key)
	}
	issuer := map[string]any{"id": did, "type": []string{"Profile"}, "name": b.Issuer.Name}
	if b.Issuer.URL != "" {
		issuer["url"] = b.Issuer.URL
	}
	ach := map[string]any{
		"id": b.Achievement.ID, "type": []string{"Achievement"}, "name": b.Achievement.Name,
		"criteria": map[string]any{"narrative": b.Achievement.Criteria},
	}
	if b.Achievement.Description != "" {
		ach["description"] = b.Achievement.Description
	}
	if b.Achievement.Level != "" {
		ach["achievementType"] = "Certificate"
		ach["humanCode"] = b.Achievement.Level
	}
	if b.Achievement.ISCOCode != "" {
		ach["alignment"] = []any{map[string]any{
			"type": []string{"Alignment"}, "targetName": strings.TrimSpace(b.Achievement.ISCOCode + " " + b.Achievement.ISCOName),
			"targetCode": b.Achievement.ISCOCode, "targetFramework": "ISCO-08",
			"targetUrl": "https://isco.ilo.org/en/isco-08/",
		}}
	}
	doc := map[string]any{
		"@context":  badgeContexts,
		"id":        b.ID,
		"type":      []string{"VerifiableCredential", "OpenBadgeCredential"},
		"name":      b.Achievement.Name,
		"issuer":    issuer,
		"validFrom": b.ValidFrom.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": b.Holder.ID, "type": []string{"AchievementSubject"}, "name": b.Holder.Name, "achievement": ach,
		},
	}
	if !b.ValidUntil.IsZero() {
		doc["validUntil"] = b.ValidUntil.UTC().Format(time.RFC3339)
	}
	if b.Status != nil {
		doc["credentialStatus"] = b.Status.document()
	}
	return json.Marshal(doc)
}

// Issue writes and signs the badge with key.
func (b *Badge) Issue(key ed25519.PrivateKey, at time.Time) ([]byte, error) {
	pub := key.Public().(ed25519.PublicKey)
	doc, err := b.Document(pub)
	if err != nil {
		return nil, err
	}
	return SignAs(doc, key, VerificationMethodOf(b.Issuer.DID, pub), at)
}

// CheckBadge verifies a signed badge and that its issuer is the key that
// signed it (the issuer's DID is the proof's verification method's: a
// did:key whose key made the proof, or a did:web that resolve finds the
// key in), and reads when it is valid: it refuses one not yet valid or
// expired at now. resolve nil resolves did:key only.
func CheckBadge(secured []byte, now time.Time, resolve func(vm string) (ed25519.PublicKey, error)) (*Verified, error) {
	v, err := Verify(secured, resolve)
	if err != nil {
		return nil, err
	}
	issuer, _ := v.Document["issuer"].(map[string]any)
	id, _ := issuer["id"].(string)
	did, _, _ := strings.Cut(v.VerificationMethod, "#")
	if id == "" || id != did {
		return nil, errors.New("credential: the issuer did not sign it")
	}
	types, _ := v.Document["type"].([]any)
	ob := false
	for _, t := range types {
		ob = ob || t == "OpenBadgeCredential"
	}
	if !ob {
		return nil, errors.New("credential: not an Open Badge")
	}
	if s, _ := v.Document["validFrom"].(string); s != "" {
		if from, err := time.Parse(time.RFC3339, s); err != nil || now.Before(from) {
			return nil, errors.New("credential: not valid yet")
		}
	}
	if s, _ := v.Document["validUntil"].(string); s != "" {
		if until, err := time.Parse(time.RFC3339, s); err != nil || !now.Before(until) {
			return nil, errors.New("credential: expired")
		}
	}
	return v, nil
}
