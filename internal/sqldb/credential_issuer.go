package sqldb

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"homeward"
	"homeward/internal/credential"
	"homeward/internal/rpl"
)

// issuerDID is the DID an organisation issues as: its did:web when it
// chose one and the instance can serve it, else "" (the key's did:key).
func (db *DB) issuerDID(tx *Tx, org string) (string, error) {
	var method string
	if err := tx.QueryRow(`SELECT issuer_did FROM organisations WHERE id = ?`, org).Scan(&method); err != nil {
		return "", err
	}
	if method == "web" && db.DIDWebHost != "" {
		return credential.DIDWeb(db.DIDWebHost, org), nil
	}
	return "", nil
}

// ResolveDIDWeb returns the key of a did:web verification method that
// names one of this instance's organisations and one of its keys, current
// or retired, with the organisation's id and name. Nothing is fetched: a
// did:web of another host, or of no organisation here, or a key the
// organisation never had, is rpl.ErrUnknownIssuer.
func (db *DB) ResolveDIDWeb(ctx context.Context, vm string) (ed25519.PublicKey, string, string, error) {
	did, frag, _ := strings.Cut(vm, "#")
	host, org, err := credential.ParseDIDWeb(did)
	if err != nil || db.DIDWebHost == "" || host != db.DIDWebHost || !homeward.ValidID(org) {
		return nil, "", "", fmt.Errorf("%w: %s is not a did:web of this instance (did:web is resolved here, never fetched)", rpl.ErrUnknownIssuer, did)
	}
	var name string
	if err := db.queryRow(ctx, `SELECT o.name FROM issuer_keys k JOIN organisations o ON o.id = k.org_id WHERE k.org_id = ? AND k.public_key = ?`, org, frag).Scan(&name); err != nil {
		if err == errNoRows {
			return nil, "", "", fmt.Errorf("%w: %s names no organisation of this instance, or a key it never had", rpl.ErrUnknownIssuer, vm)
		}
		return nil, "", "", err
	}
	b, err := credential.ParseMultibase(frag)
	if err != nil || len(b) != 2+ed25519.PublicKeySize {
		return nil, "", "", fmt.Errorf("%w: malformed key %s", rpl.ErrUnknownIssuer, frag)
	}
	return ed25519.PublicKey(b[2:]), org, name, nil
}

// issuerKeys lists an organisation's keys, the current one first, then
// the retired ones, newest first.
func (db *DB) issuerKeys(ctx context.Context, org string) ([]rpl.IssuerKey, error) {
	rows, err := db.query(ctx, `SELECT id, public_key, created_at, retired_at FROM issuer_keys WHERE org_id = ?
		ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []rpl.IssuerKey{}
	for rows.Next() {
		var k rpl.IssuerKey
		if err := rows.Scan(&k.ID, &k.PublicKeyMultibase, dbTime{&k.CreatedAt}, dbNullTime{&k.RetiredAt}); err != nil {
			return nil, err
		}
		if b, err := credential.ParseMultibase(k.PublicKeyMultibase); err == nil && len(b) > 2 {
			k.Fingerprint = fingerprint(b[2:])
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// fingerprint is SHA-256 of a public key in hex, in groups of four, as an
// administrator reads it aloud to a verifier.
func fingerprint(pub []byte) string {
	sum := sha256.Sum256(pub)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var groups []string
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	return strings.Join(groups, " ")
}

// DIDDocument returns the DID document of an organisation's did:web, for
// anyone: its keys, current and retired, as Multikey assertion methods.
// ENOTFOUND when the instance serves no did:web (no https public URL) or
// the organisation has no key.
func (db *DB) DIDDocument(ctx context.Context, org string) ([]byte, error) {
	if db.DIDWebHost == "" || !homeward.ValidID(org) {
		return nil, notFound(errNoRows)
	}
	keys, err := db.issuerKeys(ctx, org)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, notFound(errNoRows)
	}
	pubs := make([]ed25519.PublicKey, 0, len(keys))
	for _, k := range keys {
		b, err := credential.ParseMultibase(k.PublicKeyMultibase)
		if err != nil || len(b) != 2+ed25519.PublicKeySize {
			return nil, fmt.Errorf("issuer key %s: malformed", k.ID)
		}
		pubs = append(pubs, ed25519.PublicKey(b[2:]))
	}
	return credential.DIDDocument(credential.DIDWeb(db.DIDWebHost, org), pubs)
}

// Issuer tells the organisation's administrator how it signs its
// certificates: the DID it issues as and its keys.
func (db *DB) Issuer(ctx context.Context) (*rpl.IssuerInfo, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRPLAssessorAdmin, homeward.Resource{Type: "issuer_key", OrgID: org}); err != nil {
		return nil, err
	}
	info := &rpl.IssuerInfo{}
	if err := db.queryRow(ctx, `SELECT issuer_did FROM organisations WHERE id = ?`, org).Scan(&info.Method); err != nil {
		return nil, notFound(err)
	}
	if db.DIDWebHost != "" {
		info.DIDWeb = credential.DIDWeb(db.DIDWebHost, org)
	}
	var err error
	info.Keys, err = db.issuerKeys(ctx, org)
	return info, err
}

// SetIssuerDID chooses the DID the organisation's next certificates are
// issued as: "key" (did:key) or "web" (did:web, only when the instance has
// an https public URL). Certificates issued before keep theirs and still
// verify.
func (db *DB) SetIssuerDID(ctx context.Context, method string) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRPLAssessorAdmin, homeward.Resource{Type: "issuer_key", OrgID: org}); err != nil {
		return err
	}
	switch {
	case method != "key" && method != "web":
		return homeward.FieldErrorf("method", "credential.issuer.method", "Choose did:key or did:web.")
	case method == "web" && db.DIDWebHost == "":
		return homeward.FieldErrorf("method", "credential.issuer.no_web", "did:web needs the instance's public address to be an https URL (--public-url).")
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE organisations SET issuer_did = ? WHERE id = ?`, method, org); err != nil {
			return err
		}
		detail := map[string]any{"method": method}
		if method == "web" {
			detail["did"] = credential.DIDWeb(db.DIDWebHost, org)
		}
		return tx.Audit("credential.issuer_did_set", "organisation", org, org, detail)
	})
}
