package sqldb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/credential"
	"homeward/internal/handoff"
	"homeward/internal/httpsig"
)

// errNoHandoffSeal refuses to keep the instance's signing key in clear.
var _ handoff.Service = (*DB)(nil)

var errNoHandoffSeal = errors.New("handoff messages cannot be signed: no at-rest key is configured to seal the signing key (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key)")

func instanceKeyAD(id string) []byte {
	return []byte(strings.Join([]string{"homeward instance_keys v1", id}, "\x00"))
}

// instanceSigner returns the instance's active signing key and its key
// id, making one on first use: Ed25519, its private key sealed at rest
// like the certificate issuers' keys.
func (db *DB) instanceSigner(tx *Tx) (ed25519.PrivateKey, *handoff.InstanceKey, error) {
	var id, sealed string
	k := &handoff.InstanceKey{}
	err := tx.QueryRow(`SELECT id, key_id, public_key, private_key, created_at FROM instance_keys WHERE retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`).
		Scan(&id, &k.KeyID, &k.PublicKey, &sealed, dbTime{&k.CreatedAt})
	if err == nil {
		seed, err := db.NotesKeys.Open(sealed, instanceKeyAD(id))
		if err != nil {
			return nil, nil, err
		}
		key, err := credential.PrivateKeyFromMultibase(seed)
		if err != nil {
			return nil, nil, err
		}
		k.Fingerprint = handoff.Fingerprint(key.Public().(ed25519.PublicKey))
		return key, k, nil
	} else if err != errNoRows {
		return nil, nil, err
	}
	if db.NotesKeys.Primary() == "" {
		return nil, nil, errNoHandoffSeal
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	id = homeward.NewID()
	if sealed, err = db.NotesKeys.Seal(credential.PrivateKeyMultibase(key), instanceKeyAD(id)); err != nil {
		return nil, nil, err
	}
	k = &handoff.InstanceKey{KeyID: handoff.KeyID(pub), PublicKey: handoff.EncodePublicKey(pub), Fingerprint: handoff.Fingerprint(pub), CreatedAt: tx.now}
	if _, err := tx.Exec(`INSERT INTO instance_keys (id, key_id, public_key, private_key, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, k.KeyID, k.PublicKey, sealed, tx.now); err != nil {
		return nil, nil, err
	}
	op, err := operatorOrg(tx)
	if err != nil {
		return nil, nil, err
	}
	return key, k, tx.Audit("handoff.key_created", "instance_key", k.KeyID, op, map[string]any{"fingerprint": k.Fingerprint})
}

// operatorOrg is the organisation that operates the instance: refused
// handoff messages and the instance key are audited in its chain.
func operatorOrg(tx *Tx) (string, error) {
	var id string
	err := tx.QueryRow(`SELECT id FROM organisations WHERE operator = ? ORDER BY created_at LIMIT 1`, true).Scan(&id)
	if err == errNoRows {
		return "", homeward.Errorf(homeward.ECONFLICT, "handoff.no_operator", "This instance has no operator organisation yet.")
	}
	return id, err
}

// HandoffInstanceKey returns this instance's public signing key (made on
// first use) for an administrator to give partners, with its fingerprint
// to read out over the phone.
func (db *DB) HandoffInstanceKey(ctx context.Context) (*handoff.InstanceKey, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "instance_key", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	var out *handoff.InstanceKey
	err := db.Transact(ctx, func(tx *Tx) error {
		_, k, err := db.instanceSigner(tx)
		out = k
		return err
	})
	return out, err
}

// RegisterPartner registers a partner instance with its first public key,
// which the registering administrator confirms by typing the fingerprint
// the partner read out to them (fingerprint); the key is trusted at once.
func (db *DB) RegisterPartner(ctx context.Context, p *handoff.Partner, publicKey, fingerprint string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", OrgID: actorOrg(actor)}); err != nil {
		return err
	}
	var v homeward.Validation
	if err := p.Validate(); err != nil {
		_ = v.Merge("", err)
	}
	pub, err := handoff.ParsePublicKey(publicKey)
	if err != nil {
		_ = v.Merge("", err)
	} else if !sameFingerprint(fingerprint, pub) {
		v.Add("fingerprint", "handoff.partner.fingerprint_mismatch", "The fingerprint does not match the key: compare it again with the partner, by phone.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	p.ID = homeward.NewID()
	return db.Transact(ctx, func(tx *Tx) error {
		if err := checkOrgs(tx, append(slices.Clone(p.SendOrgs), p.ReceiveOrg)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM partner_keys WHERE key_id = ?`, handoff.KeyID(pub)).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return homeward.FieldErrorf("public_key", "handoff.partner.key_taken", "This key is already registered for a partner.")
		}
		fields, _ := json.Marshal(p.Fields)
		p.CreatedAt, p.UpdatedAt = tx.now, tx.now
		if _, err := tx.Exec(`INSERT INTO partners (id, name, country, base_url, fields, receive_org, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Name, p.Country, p.BaseURL, string(fields), nullString(p.ReceiveOrg), p.Status, tx.now, tx.now); err != nil {
			return err
		}
		for _, o := range dedupeStrings(p.SendOrgs) {
			if _, err := tx.Exec(`INSERT INTO partner_senders (partner_id, org_id) VALUES (?, ?)`, p.ID, o); err != nil {
				return err
			}
		}
		keyID := handoff.KeyID(pub)
		if _, err := tx.Exec(`INSERT INTO partner_keys (key_id, partner_id, public_key, status, added_at, added_by, confirmed_at, confirmed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			keyID, p.ID, handoff.EncodePublicKey(pub), handoff.KeyActive, tx.now, actorID(tx.actor), tx.now, actorID(tx.actor)); err != nil {
			return err
		}
		return tx.Audit("handoff.partner_registered", "partner", p.ID, actorOrg(actor), map[string]any{"name": p.Name, "country": p.Country, "base_url": p.BaseURL,
			"fields": p.Fields, "send_orgs": p.SendOrgs, "receive_org": p.ReceiveOrg, "key_id": keyID, "fingerprint": handoff.Fingerprint(pub)})
	})
}

// sameFingerprint compares a fingerprint typed by a person (any case,
// spaces or not) with the key's.
func sameFingerprint(typed string, pub ed25519.PublicKey) bool {
	clean := strings.ToLower(strings.NewReplacer(" ", "", "-", "", ":", "").Replace(strings.TrimSpace(typed)))
	return clean != "" && clean == handoff.KeyID(pub)
}

func checkOrgs(tx *Tx, ids []string) error {
	for _, id := range ids {
		if id == "" {
			continue
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM organisations WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return homeward.FieldErrorf("send_orgs", "handoff.partner.org_unknown", "An organisation chosen does not exist.")
		}
	}
	return nil
}

func dedupeStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// AddPartnerKey records a new key a partner published (a rotation). It
// is not trusted until an administrator confirms its fingerprint.
func (db *DB) AddPartnerKey(ctx context.Context, partnerID, publicKey string) (*handoff.PartnerKey, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	pub, err := handoff.ParsePublicKey(publicKey)
	if err != nil {
		return nil, err
	}
	k := &handoff.PartnerKey{KeyID: handoff.KeyID(pub), PublicKey: handoff.EncodePublicKey(pub), Fingerprint: handoff.Fingerprint(pub), Status: handoff.KeyPending}
	err = db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		if _, err := partnerByID(qr, partnerID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM partner_keys WHERE key_id = ?`, k.KeyID).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return homeward.FieldErrorf("public_key", "handoff.partner.key_taken", "This key is already registered for a partner.")
		}
		k.AddedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO partner_keys (key_id, partner_id, public_key, status, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)`,
			k.KeyID, partnerID, k.PublicKey, k.Status, tx.now, actorID(tx.actor)); err != nil {
			return err
		}
		return tx.Audit("handoff.key_added", "partner", partnerID, actorOrg(actor), map[string]any{"key_id": k.KeyID, "fingerprint": k.Fingerprint})
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// ConfirmPartnerKey trusts a pending key once the administrator typed the
// fingerprint the partner read out to them and it matches.
func (db *DB) ConfirmPartnerKey(ctx context.Context, partnerID, keyID, fingerprint string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", OrgID: actorOrg(actor)}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		var pubText, status string
		if err := tx.QueryRow(`SELECT public_key, status FROM partner_keys WHERE key_id = ? AND partner_id = ?`, keyID, partnerID).Scan(&pubText, &status); err != nil {
			return notFound(err)
		}
		if status != handoff.KeyPending {
			return homeward.Errorf(homeward.ECONFLICT, "handoff.partner.key_not_pending", "This key is not waiting for confirmation.")
		}
		pub, err := handoff.ParsePublicKey(pubText)
		if err != nil {
			return err
		}
		if !sameFingerprint(fingerprint, pub) {
			return homeward.FieldErrorf("fingerprint", "handoff.partner.fingerprint_mismatch", "The fingerprint does not match the key: compare it again with the partner, by phone.")
		}
		if _, err := tx.Exec(`UPDATE partner_keys SET status = ?, confirmed_at = ?, confirmed_by = ? WHERE key_id = ? AND partner_id = ? AND status = ?`,
			handoff.KeyActive, tx.now, actorID(tx.actor), keyID, partnerID, handoff.KeyPending); err != nil {
			return err
		}
		return tx.Audit("handoff.key_confirmed", "partner", partnerID, actorOrg(actor), map[string]any{"key_id": keyID})
	})
}

// RevokePartnerKey stops trusting a key: messages signed with it are
// refused from now on.
func (db *DB) RevokePartnerKey(ctx context.Context, partnerID, keyID string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", OrgID: actorOrg(actor)}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE partner_keys SET status = ?, revoked_at = ? WHERE key_id = ? AND partner_id = ? AND status <> ?`,
			handoff.KeyRevoked, tx.now, keyID, partnerID, handoff.KeyRevoked)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
		}
		return tx.Audit("handoff.key_revoked", "partner", partnerID, actorOrg(actor), map[string]any{"key_id": keyID})
	})
}

const partnerColumns = `id, name, country, base_url, fields, COALESCE(receive_org, ''), status, created_at, updated_at`

func scanPartner(s scanner) (*handoff.Partner, error) {
	var p handoff.Partner
	var fields string
	if err := s.Scan(&p.ID, &p.Name, &p.Country, &p.BaseURL, &fields, &p.ReceiveOrg, &p.Status, dbTime{&p.CreatedAt}, dbTime{&p.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &p.Fields); err != nil {
		return nil, err
	}
	return &p, nil
}

func partnerByID(q func(string, ...any) scanner, id string) (*handoff.Partner, error) {
	p, err := scanPartner(q(`SELECT `+partnerColumns+` FROM partners WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	return p, nil
}

// partnerDetails fills the partner's senders and keys.
func (db *DB) partnerDetails(ctx context.Context, p *handoff.Partner) error {
	rows, err := db.query(ctx, `SELECT org_id FROM partner_senders WHERE partner_id = ? ORDER BY org_id`, p.ID)
	if err != nil {
		return err
	}
	p.SendOrgs = nil
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return err
		}
		p.SendOrgs = append(p.SendOrgs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	krows, err := db.query(ctx, `SELECT key_id, public_key, status, added_at, confirmed_at, revoked_at FROM partner_keys WHERE partner_id = ? ORDER BY added_at, key_id`, p.ID)
	if err != nil {
		return err
	}
	defer krows.Close()
	p.Keys = nil
	for krows.Next() {
		var k handoff.PartnerKey
		if err := krows.Scan(&k.KeyID, &k.PublicKey, &k.Status, dbTime{&k.AddedAt}, dbNullTime{&k.ConfirmedAt}, dbNullTime{&k.RevokedAt}); err != nil {
			return err
		}
		if pub, err := handoff.ParsePublicKey(k.PublicKey); err == nil {
			k.Fingerprint = handoff.Fingerprint(pub)
		}
		p.Keys = append(p.Keys, k)
	}
	return krows.Err()
}

// Partners lists the partner instances with their agreements and keys:
// all of them for the operator's administrators; for anyone else, those
// their organisation may announce returns to.
func (db *DB) Partners(ctx context.Context) ([]handoff.Partner, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	admin := homeward.Can(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", OrgID: org})
	if !admin {
		if err := homeward.Authorize(actor, homeward.ActHandoffSend, homeward.Resource{Type: "partner", OrgID: org}); err != nil {
			return nil, err
		}
	}
	q, args := `SELECT `+partnerColumns+` FROM partners ORDER BY name, id`, []any{}
	if !admin {
		q, args = `SELECT `+partnerColumns+` FROM partners WHERE status = ? AND id IN (SELECT partner_id FROM partner_senders WHERE org_id = ?) ORDER BY name, id`, []any{handoff.PartnerActive, org}
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []handoff.Partner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := db.partnerDetails(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Partner returns one partner with its agreement and keys, to the
// operator's administrators.
func (db *DB) Partner(ctx context.Context, id string) (*handoff.Partner, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	p, err := partnerByID(func(q string, a ...any) scanner { return db.queryRow(ctx, q, a...) }, id)
	if err != nil {
		return nil, err
	}
	return p, db.partnerDetails(ctx, p)
}

// TrustedPartnerKey returns the active key with this id and its partner;
// nil when there is none (unknown, pending or revoked). It is what the
// inbox verifies with; a suspended partner's key is returned, so that
// the refusal of its signed messages is audited under its name (the
// receiver refuses them once the signature is checked).
func (db *DB) TrustedPartnerKey(ctx context.Context, keyID string) (ed25519.PublicKey, *handoff.Partner, error) {
	var partnerID, pubText string
	err := db.queryRow(ctx, `SELECT k.partner_id, k.public_key FROM partner_keys k WHERE k.key_id = ? AND k.status = ?`, keyID, handoff.KeyActive).Scan(&partnerID, &pubText)
	if err == errNoRows {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	pub, err := handoff.ParsePublicKey(pubText)
	if err != nil {
		return nil, nil, err
	}
	p, err := partnerByID(func(q string, a ...any) scanner { return db.queryRow(ctx, q, a...) }, partnerID)
	if err != nil {
		return nil, nil, err
	}
	return pub, p, db.partnerDetails(ctx, p)
}

// RecordNonce is the inbox's replay cache: it records the nonce of a key
// until the instant given and returns httpsig.ErrReplay when the pair was
// recorded before. It lives in the database so that every serve process
// behind a load balancer shares it; nonces past their time are dropped.
func (db *DB) RecordNonce(ctx context.Context, keyID, nonce string, until time.Time) error {
	if len(nonce) > 200 || len(keyID) > 200 {
		return &httpsig.Error{Reason: httpsig.ReasonMalformed, Detail: "the nonce or key id is too long"}
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM handoff_nonces WHERE keep_until < ?`, tx.now); err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO handoff_nonces (key_id, nonce, keep_until) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, keyID, nonce, until)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return httpsig.ErrReplay
		}
		return nil
	})
}
