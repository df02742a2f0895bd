package sqldb

import (
	"encoding/json"

	"homeward/internal/registry"
)

// closeReferralsForWithdrawnConsent applies a withdrawn referral consent to
// the person's open referrals, in the withdrawal's transaction: each one no
// longer covered by a consent (registry.ConsentValid) is closed as
// referral.CloseForWithdrawnConsent decides, saved, audited in the
// withdrawing organisation, put on the case timeline and announced to the
// receiver's webhooks (whose events carry no personal data).
func (tx *Tx) closeReferralsForWithdrawnConsent(personID, actingOrg string) error {
	var consents []registry.Consent
	rows, err := tx.Query(`SELECT consent FROM consents WHERE person_id = ?`, personID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var cj string
		var c registry.Consent
		if err := rows.Scan(&cj); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(cj), &c); err != nil {
			rows.Close()
			return err
		}
		consents = append(consents, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type open struct{ id, orgType string }
	var list []open
	rows, err = tx.Query(`SELECT r.id, t.type FROM referrals r JOIN organisations t ON t.id = r.to_org_id
		WHERE r.person_id = ? AND r.state IN ('sent', 'accepted', 'in_progress') ORDER BY r.id`, personID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var o open
		if err := rows.Scan(&o.id, &o.orgType); err != nil {
			rows.Close()
			return err
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range list {
		r, err := tx.loadReferral(o.id)
		if err != nil {
			return err
		}
		_, still := registry.ConsentValid(consents, registry.PurposeReferral, registry.Recipient{OrgID: r.ToOrgID, OrgType: o.orgType}, tx.now)
		if !r.CloseForWithdrawnConsent(still, tx.now) {
			continue
		}
		if err := tx.saveReferral(r, r.Version); err != nil {
			return err
		}
		if err := tx.referralEvent(r, actingOrg, map[string]any{"person_id": personID}); err != nil {
			return err
		}
		if err := tx.recordOutcome(r); err != nil {
			return err
		}
		if err := tx.enqueueWebhooks(r, "referral."+string(r.State), r.ToOrgID); err != nil {
			return err
		}
	}
	return nil
}
