package rpl

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path"
	"strconv"
	"strings"
	"time"

	"homeward/internal/credential"
)

// Verdict is what a verifier learns of a credential: whether its proof
// holds and its issuer signed it, when it is valid, who issued it (an
// organisation this instance knows, or not), whether it is revoked, and
// what it says — holder, achievement, dates. Nothing else is looked up.
type Verdict struct {
	Valid       bool   `json:"valid"`
	Reason      string `json:"reason,omitempty"` // why not valid, in words
	ReasonKey   string `json:"reason_key,omitempty"`
	ID          string `json:"id,omitempty"`
	Holder      string `json:"holder,omitempty"`
	Achievement string `json:"achievement,omitempty"`
	Level       string `json:"level,omitempty"`
	Issuer      string `json:"issuer,omitempty"`
	IssuerDID   string `json:"issuer_did,omitempty"`
	KnownIssuer bool   `json:"known_issuer"`
	ValidFrom   string `json:"valid_from,omitempty"`
	ValidUntil  string `json:"valid_until,omitempty"`
	Status      string `json:"status"` // active, revoked, unknown (an issuer this instance does not know)
}

// ErrUnknownIssuer is the error of a did:web that names no organisation of
// this instance, or a key that organisation never had.
var ErrUnknownIssuer = errors.New("credential: signed by an issuer this instance does not know")

// Verify checks a credential: its Data Integrity proof, that its issuer
// made the proof, its validity period at now, that the issuer is one of
// this instance's organisations — a did:key of one of their keys (current
// or retired), or a did:web of this instance naming one of them and one of
// its keys (resolved here, never fetched) — and its revocation, from that
// organisation's status list.
func Verify(ctx context.Context, svc Service, doc []byte, now time.Time) *Verdict {
	v := &Verdict{Status: "unknown"}
	fail := func(key string, err error) *Verdict {
		v.Valid, v.ReasonKey, v.Reason = false, key, err.Error()
		return v
	}
	var webOrg, webName string
	resolve := func(vm string) (ed25519.PublicKey, error) {
		if strings.HasPrefix(vm, "did:web:") {
			pub, org, name, err := svc.ResolveDIDWeb(ctx, vm)
			webOrg, webName = org, name
			return pub, err
		}
		return credential.ResolveDIDKey(vm)
	}
	checked, err := credential.CheckBadge(doc, now, resolve)
	if err == nil {
		fill(v, checked.Document)
	} else if d, err2 := credential.Verify(doc, resolve); err2 == nil {
		// The proof holds but a date or the issuer does not: the page
		// still shows what it says.
		fill(v, d.Document)
	}
	if err != nil {
		key := "credential.verify.invalid"
		switch {
		case errors.Is(err, ErrUnknownIssuer):
			key = "credential.verify.unknown_issuer"
		case err.Error() == "credential: expired":
			key = "credential.verify.expired"
		case err.Error() == "credential: not valid yet":
			key = "credential.verify.not_yet"
		}
		return fail(key, err)
	}
	org, name := webOrg, webName
	if !strings.HasPrefix(checked.VerificationMethod, "did:web:") {
		pub, err := credential.ResolveDIDKey(checked.VerificationMethod)
		if err != nil {
			return fail("credential.verify.invalid", err)
		}
		org, name = svc.KnownIssuer(ctx, pub)
	}
	if org != "" {
		v.KnownIssuer, v.Issuer = true, name
		revoked, err := revokedIn(ctx, svc, checked.Document, org)
		if err != nil {
			return fail("credential.verify.status", err)
		}
		v.Status = "active"
		if revoked {
			v.Status = "revoked"
			return fail("credential.verify.revoked", errors.New("credential: revoked by its issuer"))
		}
	}
	if !v.KnownIssuer {
		// The proof holds, but nothing vouches for the key: anyone can
		// make a did:key and sign a certificate with it.
		return fail("credential.verify.unknown_issuer", ErrUnknownIssuer)
	}
	v.Valid = true
	return v
}

func fill(v *Verdict, d map[string]any) {
	v.ID, _ = d["id"].(string)
	v.ValidFrom, _ = d["validFrom"].(string)
	v.ValidUntil, _ = d["validUntil"].(string)
	if iss, ok := d["issuer"].(map[string]any); ok {
		v.Issuer, _ = iss["name"].(string)
		v.IssuerDID, _ = iss["id"].(string)
	}
	if s, ok := d["credentialSubject"].(map[string]any); ok {
		v.Holder, _ = s["name"].(string)
		if a, ok := s["achievement"].(map[string]any); ok {
			v.Achievement, _ = a["name"].(string)
			v.Level, _ = a["humanCode"].(string)
		}
	}
}

// revokedIn reads the credential's bit in its issuer's status list, as
// this instance publishes it for org (the organisation whose key signed
// the credential, and so its status entry).
func revokedIn(ctx context.Context, svc Service, d map[string]any, org string) (bool, error) {
	st, ok := d["credentialStatus"].(map[string]any)
	if !ok {
		return false, nil
	}
	list, _ := st["statusListCredential"].(string)
	idx, err := strconv.Atoi(asString(st["statusListIndex"]))
	if err != nil || list == "" || path.Base(list) != org {
		return false, errors.New("credential: its status entry is malformed or not its issuer's")
	}
	sl, err := svc.StatusList(ctx, org)
	if err != nil {
		return false, err
	}
	sv, err := credential.Verify(sl, nil)
	if err != nil {
		return false, err
	}
	subj, _ := sv.Document["credentialSubject"].(map[string]any)
	enc, _ := subj["encodedList"].(string)
	return credential.StatusBit(enc, idx)
}

func asString(v any) string { s, _ := v.(string); return s }
