package sqldb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"homeward"
	"homeward/internal/credential"
	"homeward/internal/reference"
	"homeward/internal/registry"
	"homeward/internal/rpl"
)

// errNoIssuerSeal refuses to keep an issuer's private key in clear.
var errNoIssuerSeal = errors.New("certificates cannot be issued: no at-rest key is configured to seal the signing key (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key)")

// CertificateValidity is how long a certificate is valid from its issue.
const CertificateValidity = 10 * 365 * 24 * time.Hour

func issuerKeyAD(id, org string) []byte {
	return []byte(strings.Join([]string{"homeward issuer_keys v1", id, org}, "\x00"))
}

// issuerKey returns the organisation's active signing key, making one on
// first use: Ed25519, its private key sealed at rest.
func (db *DB) issuerKey(tx *Tx, org string) (ed25519.PrivateKey, error) {
	var id, sealed string
	err := tx.QueryRow(`SELECT id, private_key FROM issuer_keys WHERE org_id = ? AND retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`, org).Scan(&id, &sealed)
	if err == nil {
		seed, err := db.NotesKeys.Open(sealed, issuerKeyAD(id, org))
		if err != nil {
			return nil, err
		}
		return credential.PrivateKeyFromMultibase(seed)
	} else if err != errNoRows {
		return nil, err
	}
	if db.NotesKeys.Primary() == "" {
		return nil, errNoIssuerSeal
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	id = homeward.NewID()
	if sealed, err = db.NotesKeys.Seal(credential.PrivateKeyMultibase(key), issuerKeyAD(id, org)); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(`INSERT INTO issuer_keys (id, org_id, public_key, private_key, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, org, credential.PublicKeyMultibase(pub), sealed, tx.now); err != nil {
		return nil, err
	}
	return key, tx.Audit("credential.key_created", "issuer_key", id, org, map[string]any{"did": credential.DIDKey(pub)})
}

// RotateIssuerKey retires the organisation's signing key: the next
// certificate is signed with a new one; the old one's certificates stay
// valid (their did:key names the key that signed them).
func (db *DB) RotateIssuerKey(ctx context.Context) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRPLAssessorAdmin, homeward.Resource{Type: "issuer_key", OrgID: org}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE issuer_keys SET retired_at = ? WHERE org_id = ? AND retired_at IS NULL`, tx.now, org); err != nil {
			return err
		}
		if _, err := db.issuerKey(tx, org); err != nil {
			return err
		}
		return tx.Audit("credential.key_rotated", "organisation", org, org, nil)
	})
}

// StatusListURL is where an organisation's revocation list is published.
func (db *DB) StatusListURL(org string) string {
	return db.PublicURL + "/credentials/status/" + org
}

// IssueCredential issues the certificate of a signed-off assessment that
// found the person competent in every unit: an Open Badges 3.0 credential
// signed with the organisation's key, in its revocation list. One
// certificate per assessment.
func (db *DB) IssueCredential(ctx context.Context, assessmentID string) (*rpl.Credential, error) {
	actor := homeward.ActorFromContext(ctx)
	var out *rpl.Credential
	err := db.Transact(ctx, func(tx *Tx) error {
		a, err := tx.loadRPL(assessmentID)
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActCredentialIssue, homeward.Resource{Type: "rpl_assessment", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActCredentialIssue, homeward.Resource{Type: "rpl_assessment", ID: a.ID, OrgID: a.OrgID}); err != nil {
			return err
		}
		if err := a.Certifiable(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM credentials WHERE assessment_id = ?`, a.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "credential.exists", "A certificate was issued for this assessment already.")
		}
		std := db.RPLCatalogue().Standard(a.Standard)
		if std == nil {
			return homeward.FieldErrorf("standard", "rpl.standard.unknown", "Choose a competency standard from the catalogue.")
		}
		var given, family, number, orgName string
		if err := tx.QueryRow(`SELECT p.given_name, p.family_name, c.number, o.name FROM cases c JOIN people p ON p.id = c.person_id JOIN organisations o ON o.id = c.org_id WHERE c.id = ?`,
			a.CaseID).Scan(&given, &family, &number, &orgName); err != nil {
			return err
		}
		key, err := db.issuerKey(tx, a.OrgID)
		if err != nil {
			return err
		}
		var next int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(status_index) + 1, 0) FROM credentials WHERE org_id = ?`, a.OrgID).Scan(&next); err != nil {
			return err
		}
		if next >= credential.StatusListBits {
			return homeward.Errorf(homeward.ECONFLICT, "credential.list_full", "The organisation's revocation list is full.")
		}
		occ := reference.OccupationByCode(std.Occupation)
		b := &credential.Badge{
			ID:     "urn:uuid:" + homeward.NewID(),
			Issuer: credential.Issuer{Name: orgName},
			// The holder is named and known by an identifier of the
			// issuer's, never a national ID.
			Holder: credential.Holder{ID: "urn:uuid:" + a.PersonID, Name: strings.TrimSpace(given + " " + family)},
			Achievement: credential.Achievement{
				ID: "urn:homeward:standard:" + std.Code, Name: std.Name["en"] + " (" + std.Name["bn"] + ")",
				Criteria: std.Criteria["en"], Level: "Level " + itoa(std.Level), ISCOCode: std.Occupation,
			},
			ValidFrom: tx.now, ValidUntil: tx.now.Add(CertificateValidity),
			Status: &credential.StatusEntry{ListURL: db.StatusListURL(a.OrgID), Index: next},
		}
		if occ != nil {
			b.Achievement.ISCOName = occ.Title
		}
		if b.Issuer.DID, err = db.issuerDID(tx, a.OrgID); err != nil {
			return err
		}
		doc, err := b.Issue(key, tx.now)
		if err != nil {
			return err
		}
		out = &rpl.Credential{ID: b.ID, OrgID: a.OrgID, PersonID: a.PersonID, CaseID: a.CaseID, CaseNumber: number, AssessmentID: a.ID,
			Standard: a.Standard, StatusIndex: next, IssuedBy: actorID(actor), IssuedAt: tx.now, Document: doc}
		if _, err := tx.Exec(`INSERT INTO credentials (id, org_id, person_id, case_id, assessment_id, standard, status_index, credential, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.ID, out.OrgID, out.PersonID, out.CaseID, out.AssessmentID, out.Standard, out.StatusIndex, string(doc), out.IssuedBy, tx.now); err != nil {
			return err
		}
		return tx.rplEvent(a, "credential_issued", map[string]any{"standard": a.Standard, "credential": out.ID})
	})
	return out, err
}

const credentialColumns = `k.id, k.org_id, k.person_id, k.case_id, c.number, k.assessment_id, k.standard, k.status_index, k.issued_by, k.issued_at, k.revoked_at, k.revoked_by, k.revoke_reason, k.credential`

func scanCredential(s interface{ Scan(...any) error }) (*rpl.Credential, error) {
	var c rpl.Credential
	var doc string
	if err := s.Scan(&c.ID, &c.OrgID, &c.PersonID, &c.CaseID, &c.CaseNumber, &c.AssessmentID, &c.Standard, &c.StatusIndex, &c.IssuedBy,
		dbTime{&c.IssuedAt}, dbNullTime{&c.RevokedAt}, &c.RevokedBy, &c.RevokeReason, &doc); err != nil {
		return nil, err
	}
	c.Document = []byte(doc)
	return &c, nil
}

// RevokeCredential revokes a certificate, saying why; its bit is set in
// the organisation's status list from now on.
func (db *DB) RevokeCredential(ctx context.Context, id, reason string) (*rpl.Credential, error) {
	actor := homeward.ActorFromContext(ctx)
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > rpl.MaxEvidenceNote {
		return nil, homeward.FieldErrorf("reason", "credential.revoke.reason", "Say why the certificate is revoked (at most 2000 characters).")
	}
	var out *rpl.Credential
	err := db.Transact(ctx, func(tx *Tx) error {
		c, err := scanCredential(tx.QueryRow(`SELECT `+credentialColumns+` FROM credentials k JOIN cases c ON c.id = k.case_id WHERE k.id = ?`, id))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActCredentialRevoke, homeward.Resource{Type: "credential", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActCredentialRevoke, homeward.Resource{Type: "credential", ID: id, OrgID: c.OrgID}); err != nil {
			return err
		}
		if c.RevokedAt != nil {
			return homeward.Errorf(homeward.ECONFLICT, "credential.revoked", "This certificate is revoked already.")
		}
		t := tx.now
		c.RevokedAt, c.RevokedBy, c.RevokeReason = &t, actorID(actor), reason
		if _, err := tx.Exec(`UPDATE credentials SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?`, tx.now, c.RevokedBy, reason, id); err != nil {
			return err
		}
		if err := tx.addEvent(c.OrgID, registry.NewCaseEvent(c.CaseID, "credential_revoked", "", tx.now, map[string]any{"credential": id})); err != nil {
			return err
		}
		out = c
		return tx.Audit("credential.revoked", "credential", id, c.OrgID, nil) // the reason is free text: kept on the credential, not in the chain
	})
	return out, err
}

// Credentials lists the certificates the actor's organisation issued,
// newest first: all, or those with status "active" or "revoked".
func (db *DB) Credentials(ctx context.Context, status string) ([]*rpl.Credential, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActCredentialRead, homeward.Resource{Type: "credential", OrgID: org}); err != nil {
		return nil, err
	}
	cond := ""
	switch status {
	case "":
	case "active":
		cond = ` AND k.revoked_at IS NULL`
	case "revoked":
		cond = ` AND k.revoked_at IS NOT NULL`
	default:
		return nil, homeward.FieldErrorf("status", "credential.status", "The status is active or revoked.")
	}
	rows, err := db.query(ctx, `SELECT `+credentialColumns+` FROM credentials k JOIN cases c ON c.id = k.case_id WHERE k.org_id = ?`+cond+` ORDER BY k.issued_at DESC, k.id DESC LIMIT 1000`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*rpl.Credential{}
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Credential returns one certificate of the actor's organisation.
func (db *DB) Credential(ctx context.Context, id string) (*rpl.Credential, error) {
	actor := homeward.ActorFromContext(ctx)
	c, err := scanCredential(db.queryRow(ctx, `SELECT `+credentialColumns+` FROM credentials k JOIN cases c ON c.id = k.case_id WHERE k.id = ?`, id))
	if err != nil {
		if err := homeward.Authorize(actor, homeward.ActCredentialRead, homeward.Resource{Type: "credential", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActCredentialRead, homeward.Resource{Type: "credential", ID: id, OrgID: c.OrgID}); err != nil {
		return nil, err
	}
	return c, nil
}

// PublicCredential looks a certificate up by id for the public
// verification page; ENOTFOUND when this instance did not issue it.
func (db *DB) PublicCredential(ctx context.Context, id string) (*rpl.PublicStatus, error) {
	var s rpl.PublicStatus
	var doc string
	if err := db.queryRow(ctx, `SELECT k.credential, k.revoked_at, o.name FROM credentials k JOIN organisations o ON o.id = k.org_id WHERE k.id = ?`, id).
		Scan(&doc, dbNullTime{&s.RevokedAt}, &s.Issuer); err != nil {
		return nil, notFound(err)
	}
	s.Document, s.Revoked = []byte(doc), s.RevokedAt != nil
	return &s, nil
}

// KnownIssuer returns the organisation of this instance whose key
// (current or retired) is pub, and its name; "" when none.
func (db *DB) KnownIssuer(ctx context.Context, pub ed25519.PublicKey) (org, name string) {
	_ = db.queryRow(ctx, `SELECT o.id, o.name FROM issuer_keys k JOIN organisations o ON o.id = k.org_id WHERE k.public_key = ?`, credential.PublicKeyMultibase(pub)).Scan(&org, &name)
	return org, name
}

// StatusList returns an organisation's revocation list as a signed
// BitstringStatusListCredential, for anyone to fetch; ENOTFOUND when the
// organisation has no signing key. It reads only (the public may ask for
// it often).
func (db *DB) StatusList(ctx context.Context, org string) ([]byte, error) {
	var id, sealed string
	if err := db.queryRow(ctx, `SELECT id, private_key FROM issuer_keys WHERE org_id = ? AND retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`, org).Scan(&id, &sealed); err != nil {
		return nil, notFound(err)
	}
	seed, err := db.NotesKeys.Open(sealed, issuerKeyAD(id, org))
	if err != nil {
		return nil, err
	}
	key, err := credential.PrivateKeyFromMultibase(seed)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT status_index FROM credentials WHERE org_id = ? AND revoked_at IS NOT NULL`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var revoked []int
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		revoked = append(revoked, i)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return credential.StatusListCredential(db.StatusListURL(org), key, revoked, db.Now())
}
