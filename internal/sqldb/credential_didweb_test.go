package sqldb_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/credential"
	"homeward/internal/rpl"
)

// certify takes a new assessment of the person of caseID to a certificate.
func certify(t *testing.T, w *homewardtest.World, caseID, standard string) *rpl.Credential {
	t.Helper()
	std := w.DB.RPLCatalogue().Standard(standard)
	_ = w.DB.RegisterAssessor(w.Ctx("ngo", homeward.RoleAdministrator), w.Users["ngo"][homeward.RoleProviderStaff].ID, std.Code, "")
	a, err := w.DB.ApplyRPL(w.Ctx("ngo", homeward.RoleCaseWorker), caseID, std.Code, nil)
	if err == nil {
		a, err = w.DB.RecordRPL(w.Ctx("ngo", homeward.RoleProviderStaff), a.ID, a.Version, allCompetent(std))
	}
	if err == nil {
		a, err = w.DB.SignOffRPL(w.Ctx("ngo", homeward.RoleSupervisor), a.ID, a.Version)
	}
	var c *rpl.Credential
	if err == nil {
		c, err = w.DB.IssueCredential(w.Ctx("ngo", homeward.RoleSupervisor), a.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// An organisation issues as did:web when the instance has a did:web host:
// its DID document lists its current and retired keys; a certificate
// signed with a retired key still verifies, and revocation works as with
// did:key. A did:web of another host, or of no organisation here, is an
// unknown issuer — nothing is fetched.
func TestCredentialDIDWeb(t *testing.T) {
	w := homewardtest.NewWorld(t)
	admin, cw := w.Ctx("ngo", homeward.RoleAdministrator), w.Ctx("ngo", homeward.RoleCaseWorker)
	if err := w.DB.SetIssuerDID(admin, "web"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("did:web without an https public URL: %v", err)
	}
	w.DB.DIDWebHost = credential.DIDWebHost("https://homeward.example.org:8443/")
	if w.DB.DIDWebHost != "homeward.example.org%3A8443" {
		t.Fatalf("host %q", w.DB.DIDWebHost)
	}
	if err := w.DB.SetIssuerDID(cw, "web"); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker chooses the DID: %v", err)
	}
	if err := w.DB.SetIssuerDID(admin, "plc"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("an unknown method: %v", err)
	}
	if err := w.DB.SetIssuerDID(admin, "web"); err != nil {
		t.Fatal(err)
	}
	did := "did:web:homeward.example.org%3A8443:orgs:" + w.NGO.ID

	rec := registerIn(t, w, "ngo", "Rahima", "Begum", "", "", "", "")
	first := certify(t, w, rec.Case.ID, "HW-HOUSE-2")
	var doc struct {
		Issuer struct{ ID string } `json:"issuer"`
		Proof  struct {
			VerificationMethod string `json:"verificationMethod"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(first.Document, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Issuer.ID != did || !strings.HasPrefix(doc.Proof.VerificationMethod, did+"#z6Mk") {
		t.Fatalf("issuer %s, proof by %s", doc.Issuer.ID, doc.Proof.VerificationMethod)
	}
	now := w.DB.Now().Add(time.Hour)
	if v := rpl.Verify(cw, w.DB, first.Document, now); !v.Valid || v.Status != "active" || v.IssuerDID != did || v.Issuer != w.NGO.Name {
		t.Fatalf("did:web certificate: %+v", v)
	}

	// Rotated: the next certificate is signed with the new key; the DID
	// document lists both; the first still verifies with the retired key.
	info, err := w.DB.Issuer(admin)
	if err != nil || info.Method != "web" || info.DIDWeb != did || len(info.Keys) != 1 || len(info.Keys[0].Fingerprint) != 79 {
		t.Fatalf("issuer: %+v %v", info, err)
	}
	if err := w.DB.RotateIssuerKey(admin); err != nil {
		t.Fatal(err)
	}
	second := certify(t, w, rec.Case.ID, "HW-MASON-2")
	info, _ = w.DB.Issuer(admin)
	if len(info.Keys) != 2 || info.Keys[0].RetiredAt != nil || info.Keys[1].RetiredAt == nil {
		t.Fatalf("keys after rotation: %+v", info.Keys)
	}
	dd, err := w.DB.DIDDocument(homewardtest.SystemCtx(), w.NGO.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*rpl.Credential{first, second} {
		if v := rpl.Verify(cw, w.DB, c.Document, now); !v.Valid || v.Status != "active" {
			t.Errorf("after rotation: %+v", v)
		}
		var d struct {
			Proof struct{ VerificationMethod string } `json:"proof"`
		}
		_ = json.Unmarshal(c.Document, &d)
		// An outside verifier with the DID document finds each key.
		if _, err := credential.Verify(c.Document, func(vm string) (ed25519.PublicKey, error) { return credential.ResolveInDocument(dd, vm) }); err != nil {
			t.Errorf("with the DID document: %v", err)
		}
	}
	if strings.Count(string(dd), `"type":"Multikey"`) != 2 || !strings.Contains(string(dd), `"id":"`+did+`"`) {
		t.Errorf("DID document: %s", dd)
	}

	// Revocation is unaffected.
	if _, err := w.DB.RevokeCredential(w.Ctx("ngo", homeward.RoleSupervisor), first.ID, "issued in error"); err != nil {
		t.Fatal(err)
	}
	if v := rpl.Verify(cw, w.DB, first.Document, now); v.Valid || v.Status != "revoked" {
		t.Errorf("revoked did:web certificate: %+v", v)
	}

	// Unknown issuers: a did:web of no organisation here, of another
	// host, a key the organisation never had — signed properly, refused.
	_, stranger, _ := ed25519.GenerateKey(nil)
	for name, issuer := range map[string]string{
		"no such organisation": "did:web:homeward.example.org%3A8443:orgs:" + homeward.NewID(),
		"another host":         "did:web:evil.example:orgs:" + w.NGO.ID,
		"a key never had":      did,
	} {
		b := &credential.Badge{ID: "urn:uuid:" + homeward.NewID(), Issuer: credential.Issuer{Name: "Shapla", DID: issuer},
			Holder:      credential.Holder{ID: "urn:uuid:" + homeward.NewID(), Name: "Rahima Begum"},
			Achievement: credential.Achievement{ID: "urn:homeward:standard:HW-HOUSE-2", Name: "Housekeeping"}, ValidFrom: w.DB.Now()}
		forged, err := b.Issue(stranger, w.DB.Now())
		if err != nil {
			t.Fatal(err)
		}
		if v := rpl.Verify(cw, w.DB, forged, now); v.Valid || v.ReasonKey != "credential.verify.unknown_issuer" {
			t.Errorf("%s: %+v", name, v)
		}
	}
	if _, err := w.DB.DIDDocument(homewardtest.SystemCtx(), homeward.NewID()); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("DID document of no organisation: %v", err)
	}

	// Back to did:key: the next certificate is did:key's; the did:web ones
	// still verify.
	if err := w.DB.SetIssuerDID(admin, "key"); err != nil {
		t.Fatal(err)
	}
	third := certify(t, w, rec.Case.ID, "HW-WELD-2")
	if !strings.Contains(string(third.Document), `"id":"did:key:z6Mk`) {
		t.Error("did:key not used again")
	}
	for _, c := range []*rpl.Credential{second, third} {
		if v := rpl.Verify(cw, w.DB, c.Document, now); !v.Valid {
			t.Errorf("%+v", v)
		}
	}
}
