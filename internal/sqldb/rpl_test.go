package sqldb_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/credential"
	"homeward/internal/indicator"
	"homeward/internal/rpl"
	"homeward/internal/sqldb"
)

func allCompetent(std *rpl.Standard, nyc ...string) []rpl.UnitResult {
	var out []rpl.UnitResult
	for _, u := range std.Units {
		r := rpl.UnitResult{Unit: u.Code, Result: rpl.Competent, Note: "observed on a sample wall"}
		if len(nyc) > 0 && nyc[0] == u.Code {
			r.Result = rpl.NotYetCompetent
		}
		out = append(out, r)
	}
	return out
}

// From application to a revoked certificate: a registered assessor records
// the results, a supervisor signs off, the certificate is an Open Badge
// signed by the organisation's key that verifies, lists and publishes its
// revocation; each refusal on the way says why.
func TestRPLToCredential(t *testing.T) {
	w := homewardtest.NewWorld(t)
	rec := registerIn(t, w, "ngo", "Abdul", "Karim", "আব্দুল করিম", "", "", "")
	cw, sup, admin, prov := w.Ctx("ngo", homeward.RoleCaseWorker), w.Ctx("ngo", homeward.RoleSupervisor), w.Ctx("ngo", homeward.RoleAdministrator), w.Ctx("ngo", homeward.RoleProviderStaff)
	assessor := w.Users["ngo"][homeward.RoleProviderStaff]
	std := w.DB.RPLCatalogue().Standard("HW-MASON-2")

	// Registering assessors: an administrator, for a standard of the
	// catalogue, a user of the organisation, never themselves.
	for name, tc := range map[string]struct {
		ctxOrg, user, std, code string
	}{
		"case worker":        {"cw", assessor.ID, std.Code, homeward.EFORBIDDEN},
		"unknown standard":   {"admin", assessor.ID, "HW-NOPE-9", homeward.EINVALID},
		"other org's user":   {"admin", w.Users["operator"][homeward.RoleCaseWorker].ID, std.Code, homeward.EINVALID},
		"the admin themself": {"admin", w.Users["ngo"][homeward.RoleAdministrator].ID, std.Code, homeward.EFORBIDDEN},
	} {
		ctx := admin
		if tc.ctxOrg == "cw" {
			ctx = cw
		}
		if err := w.DB.RegisterAssessor(ctx, tc.user, tc.std, "Dhaka TTC"); homewardtest.Code(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}

	a, err := w.DB.ApplyRPL(cw, rec.Case.ID, std.Code, []rpl.Evidence{{Kind: "employer_letter", Note: "Al Faisal Contracting, Riyadh, 2018–2024"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.ApplyRPL(w.Ctx("operator", homeward.RoleCaseWorker), rec.Case.ID, std.Code, nil); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's case: %v", err)
	}
	// Not registered yet: refused, nothing written.
	if _, err := w.DB.RecordRPL(prov, a.ID, a.Version, allCompetent(std)); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("unregistered assessor: %v", err)
	}
	if err := w.DB.RegisterAssessor(admin, assessor.ID, std.Code, "Dhaka TTC"); err != nil {
		t.Fatal(err)
	}
	// Registered for masonry only.
	weld, err := w.DB.ApplyRPL(cw, rec.Case.ID, "HW-WELD-2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.RecordRPL(prov, weld.ID, weld.Version, allCompetent(w.DB.RPLCatalogue().Standard("HW-WELD-2"))); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("assessor of another standard: %v", err)
	}
	// A gap first: gap training, and no certificate even after sign-off.
	if a, err = w.DB.RecordRPL(prov, a.ID, a.Version, allCompetent(std, "MAS-04")); err != nil {
		t.Fatal(err)
	}
	if a.Decision != rpl.DecisionGapTraining {
		t.Errorf("decision %s", a.Decision)
	}
	if _, err := w.DB.RecordRPL(prov, a.ID, a.Version-1, allCompetent(std)); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale version: %v", err)
	}
	if a, err = w.DB.RecordRPL(prov, a.ID, a.Version, allCompetent(std)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.IssueCredential(sup, a.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("issued before sign-off: %v", err)
	}
	if _, err := w.DB.SignOffRPL(cw, a.ID, a.Version); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker signs off: %v", err)
	}
	if a, err = w.DB.SignOffRPL(sup, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.IssueCredential(cw, a.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker issues: %v", err)
	}
	c, err := w.DB.IssueCredential(sup, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.IssueCredential(sup, a.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("issued twice: %v", err)
	}

	// The certificate verifies as an Open Badge of the organisation's key,
	// names the holder and the standard, and no national ID.
	v, err := credential.CheckBadge(c.Document, w.DB.Now(), nil)
	if err != nil {
		t.Fatalf("issued certificate does not verify: %v\n%s", err, c.Document)
	}
	doc := string(c.Document)
	for _, want := range []string{"Abdul Karim", "urn:homeward:standard:HW-MASON-2", "7112", "BitstringStatusListEntry", w.NGO.Name} {
		if !strings.Contains(doc, want) {
			t.Errorf("certificate lacks %q", want)
		}
	}
	pub, err := credential.ResolveDIDKey(v.VerificationMethod)
	if org, name := w.DB.KnownIssuer(t.Context(), pub); err != nil || org != w.NGO.ID || name != w.NGO.Name {
		t.Errorf("issuer key not known: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if org, _ := w.DB.KnownIssuer(t.Context(), other); org != "" {
		t.Error("a stranger's key is known")
	}

	// Listed for the organisation, not for another.
	list, err := w.DB.Credentials(sup, "active")
	if err != nil || len(list) != 1 || list[0].ID != c.ID || list[0].CaseNumber != rec.Case.Number {
		t.Fatalf("active list: %v %+v", err, list)
	}
	if _, err := w.DB.Credential(w.Ctx("operator", homeward.RoleSupervisor), c.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation reads it: %v", err)
	}
	if _, err := w.DB.Credentials(sup, "lost"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("odd status filter: %v", err)
	}

	// Revocation: a reason is required; the status list sets its bit.
	bit := func() bool {
		t.Helper()
		sl, err := w.DB.StatusList(t.Context(), c.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		sv, err := credential.Verify(sl, nil)
		if err != nil {
			t.Fatal(err)
		}
		on, err := credential.StatusBit(sv.Document["credentialSubject"].(map[string]any)["encodedList"].(string), c.StatusIndex)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	if bit() {
		t.Error("revoked before revocation")
	}
	// The verifier anyone may use: valid and active; a tampered copy, one
	// past its end and one signed by a stranger's key are not, with why.
	if vd := rpl.Verify(t.Context(), w.DB, c.Document, w.DB.Now()); !vd.Valid || vd.Status != "active" || vd.Holder != "Abdul Karim" || vd.Issuer != w.NGO.Name || vd.Level != "Level 2" {
		t.Errorf("verdict: %+v", vd)
	}
	tampered := []byte(strings.Replace(string(c.Document), "Abdul Karim", "Abdul Karem", 1))
	if vd := rpl.Verify(t.Context(), w.DB, tampered, w.DB.Now()); vd.Valid || vd.ReasonKey != "credential.verify.invalid" {
		t.Errorf("tampered verdict: %+v", vd)
	}
	if vd := rpl.Verify(t.Context(), w.DB, c.Document, w.DB.Now().Add(sqldb.CertificateValidity+time.Hour)); vd.Valid || vd.ReasonKey != "credential.verify.expired" || vd.Holder == "" {
		t.Errorf("expired verdict: %+v", vd)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	forged, err := (&credential.Badge{ID: "urn:uuid:" + homeward.NewID(), Issuer: credential.Issuer{Name: w.NGO.Name}, Holder: credential.Holder{ID: "urn:uuid:x", Name: "Abdul Karim"},
		Achievement: credential.Achievement{ID: "urn:homeward:standard:HW-MASON-2", Name: "Masonry"}, ValidFrom: w.DB.Now().Add(-time.Hour)}).Issue(stranger, w.DB.Now())
	if err != nil {
		t.Fatal(err)
	}
	if vd := rpl.Verify(t.Context(), w.DB, forged, w.DB.Now()); vd.Valid || vd.ReasonKey != "credential.verify.unknown_issuer" || vd.KnownIssuer {
		t.Errorf("stranger's verdict: %+v", vd)
	}
	if _, err := w.DB.RevokeCredential(sup, c.ID, "  "); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("revoked without a reason: %v", err)
	}
	if _, err := w.DB.RevokeCredential(sup, c.ID, "Assessment evidence found forged"); err != nil {
		t.Fatal(err)
	}
	if !bit() {
		t.Error("not revoked in the status list")
	}
	if vd := rpl.Verify(t.Context(), w.DB, c.Document, w.DB.Now()); vd.Valid || vd.Status != "revoked" || vd.ReasonKey != "credential.verify.revoked" {
		t.Errorf("revoked verdict: %+v", vd)
	}
	if _, err := w.DB.RevokeCredential(sup, c.ID, "again"); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("revoked twice: %v", err)
	}
	ps, err := w.DB.PublicCredential(t.Context(), c.ID)
	if err != nil || !ps.Revoked || ps.Issuer != w.NGO.Name || string(ps.Document) != string(c.Document) {
		t.Errorf("public status: %v %+v", err, ps)
	}
	if _, err := w.DB.PublicCredential(t.Context(), "urn:uuid:"+homeward.NewID()); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("unknown credential: %v", err)
	}
	revoked, err := w.DB.Credentials(sup, "revoked")
	if err != nil || len(revoked) != 1 || revoked[0].RevokeReason != "Assessment evidence found forged" || revoked[0].Status() != "revoked" {
		t.Errorf("revoked list: %v %+v", err, revoked)
	}

	// A new key after rotation; the old certificate still verifies.
	if err := w.DB.RotateIssuerKey(admin); err != nil {
		t.Fatal(err)
	}
	if _, err := credential.CheckBadge(c.Document, w.DB.Now(), nil); err != nil {
		t.Errorf("old certificate after rotation: %v", err)
	}
	if vd := rpl.Verify(t.Context(), w.DB, c.Document, w.DB.Now()); vd.Status != "revoked" || !vd.KnownIssuer {
		t.Errorf("revoked certificate of a retired key: %+v", vd)
	}
	if org, _ := w.DB.KnownIssuer(t.Context(), pub); org != w.NGO.ID {
		t.Error("the retired key is forgotten")
	}
}

// A signed-off assessment with gaps is assessed again after training,
// once; one without gaps is not.
func TestRPLReassessment(t *testing.T) {
	w := homewardtest.NewWorld(t)
	rec := registerIn(t, w, "ngo", "Rahima", "Begum", "", "", "", "")
	cw, sup, prov := w.Ctx("ngo", homeward.RoleCaseWorker), w.Ctx("ngo", homeward.RoleSupervisor), w.Ctx("ngo", homeward.RoleProviderStaff)
	std := w.DB.RPLCatalogue().Standard("HW-CARE-2")
	if err := w.DB.RegisterAssessor(w.Ctx("ngo", homeward.RoleAdministrator), w.Users["ngo"][homeward.RoleProviderStaff].ID, std.Code, ""); err != nil {
		t.Fatal(err)
	}
	assess := func(nyc ...string) *rpl.Assessment {
		t.Helper()
		a, err := w.DB.ApplyRPL(cw, rec.Case.ID, std.Code, []rpl.Evidence{{Kind: "contract", Note: "Riyadh, 2020–2025"}})
		if err != nil {
			t.Fatal(err)
		}
		if a, err = w.DB.RecordRPL(prov, a.ID, a.Version, allCompetent(std, nyc...)); err != nil {
			t.Fatal(err)
		}
		if a, err = w.DB.SignOffRPL(sup, a.ID, a.Version); err != nil {
			t.Fatal(err)
		}
		return a
	}
	gap := assess("CRG-01")
	again, err := w.DB.ReassessRPL(cw, gap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Previous != gap.ID || again.Status != rpl.StatusApplied || again.Standard != std.Code || len(again.Evidence) != 1 {
		t.Errorf("re-assessment: %+v", again)
	}
	if _, err := w.DB.ReassessRPL(cw, gap.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("second re-assessment: %v", err)
	}
	if _, err := w.DB.ReassessRPL(w.Ctx("operator", homeward.RoleCaseWorker), gap.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation: %v", err)
	}
	if _, err := w.DB.ReassessRPL(cw, assess().ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("re-assessing a certifiable assessment: %v", err)
	}
}

// Certificates issued count in their month, by standard; a revoked one
// still counts as issued.
func TestCertificatesIndicator(t *testing.T) {
	w := homewardtest.NewWorld(t)
	rec := registerIn(t, w, "ngo", "Rahima", "Begum", "", "", "", "")
	std := w.DB.RPLCatalogue().Standard("HW-HOUSE-2")
	if err := w.DB.RegisterAssessor(w.Ctx("ngo", homeward.RoleAdministrator), w.Users["ngo"][homeward.RoleProviderStaff].ID, std.Code, ""); err != nil {
		t.Fatal(err)
	}
	a, err := w.DB.ApplyRPL(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Case.ID, std.Code, nil)
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
	if err == nil {
		_, err = w.DB.RevokeCredential(w.Ctx("ngo", homeward.RoleSupervisor), c.ID, "test")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	def, err := indicator.Find("certificates_issued")
	if err != nil {
		t.Fatal(err)
	}
	month := indicator.Month(w.DB.Now().In(homewardtest.Zone).Format("2006-01"))
	s, err := w.DB.IndicatorSeries(w.Ctx("ngo", homeward.RoleMEAnalyst), def, indicator.Query{From: month, To: month})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 1 || s.Rows[0].Value == nil || *s.Rows[0].Value != 1 {
		t.Errorf("certificates issued: %+v", s.Rows)
	}
}
