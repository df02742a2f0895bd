package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// did:web (W3C CCG "did:web Method Specification"): an issuer named by a
// web address whose DID document lists its keys. Homeward names an
// issuing organisation did:web:<host>:orgs:<id> and serves its document at
// https://<host>/orgs/<id>/did.json. Homeward never fetches a DID document:
// it resolves did:web only for its own organisations (see rpl.Verify).

// DIDWebHost returns the did:web host of an instance's public URL: its
// host, a port written %3A as the method requires; "" unless the URL is
// https with no path, as did:web resolves only over https at a host's root
// paths.
func DIDWebHost(publicURL string) string {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" || u.User != nil {
		return ""
	}
	return strings.ReplaceAll(strings.ToLower(u.Host), ":", "%3A")
}

// DIDWeb is the did:web of an organisation on host (as DIDWebHost gives).
func DIDWeb(host, org string) string { return "did:web:" + host + ":orgs:" + org }

// ParseDIDWeb reads the host and organisation of a DID made by DIDWeb;
// any other did:web is refused.
func ParseDIDWeb(did string) (host, org string, err error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	parts := strings.Split(rest, ":")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] != "orgs" || parts[2] == "" {
		return "", "", fmt.Errorf("credential: %q is not a did:web of a Homeward organisation (did:web:<host>:orgs:<id>)", did)
	}
	return parts[0], parts[2], nil
}

// VerificationMethodOf is the verification method of key under did: for a
// did:key, the key's own; for a did:web, "<did>#<multibase key>".
func VerificationMethodOf(did string, pub ed25519.PublicKey) string {
	if did == "" || strings.HasPrefix(did, "did:key:") {
		return VerificationMethod(pub)
	}
	return did + "#" + PublicKeyMultibase(pub)
}

// DIDDocument writes the DID document of did with its keys as Multikey
// verification methods, every one of them an assertion method: retired
// keys stay listed so that what they signed still verifies.
func DIDDocument(did string, keys []ed25519.PublicKey) ([]byte, error) {
	vms := make([]any, 0, len(keys))
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		id := VerificationMethodOf(did, k)
		vms = append(vms, map[string]any{"id": id, "type": "Multikey", "controller": did, "publicKeyMultibase": PublicKeyMultibase(k)})
		ids = append(ids, id)
	}
	return json.Marshal(map[string]any{
		"@context":           []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		"id":                 did,
		"verificationMethod": vms,
		"assertionMethod":    ids,
	})
}

// ResolveInDocument returns the key of verification method vm from a DID
// document (as DIDDocument writes, or any with Ed25519 Multikey methods):
// vm must be one of its assertion methods.
func ResolveInDocument(doc []byte, vm string) (ed25519.PublicKey, error) {
	var d struct {
		ID                 string `json:"id"`
		VerificationMethod []struct {
			ID, Type, Controller, PublicKeyMultibase string
		} `json:"verificationMethod"`
		AssertionMethod []any `json:"assertionMethod"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("credential: the DID document: %w", err)
	}
	did, _, _ := strings.Cut(vm, "#")
	if d.ID != did {
		return nil, fmt.Errorf("credential: the DID document is %s's, not %s's", d.ID, did)
	}
	asserts := false
	for _, a := range d.AssertionMethod {
		asserts = asserts || a == vm
	}
	for _, m := range d.VerificationMethod {
		if m.ID != vm {
			continue
		}
		if !asserts || m.Type != "Multikey" || m.Controller != did {
			return nil, fmt.Errorf("credential: %s is not an assertion method of its DID document", vm)
		}
		b, err := ParseMultibase(m.PublicKeyMultibase)
		if err != nil || len(b) != 2+ed25519.PublicKeySize || !bytes.HasPrefix(b, ed25519Pub) {
			return nil, errors.New("credential: the DID document's key is not an Ed25519 Multikey")
		}
		return ed25519.PublicKey(b[2:]), nil
	}
	return nil, fmt.Errorf("credential: %s is not in its DID document (a retired key removed, or another issuer's)", vm)
}
