package sqldb

import (
	"context"
	"encoding/json"
	"slices"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/handoff"
	"homeward/internal/registry"
)

// handoffAssessments are the person's completed assessments as an
// announcement carries them (the latest handoff.MaxAssessments, oldest
// first): answers and scores, without the protected ones (a protection
// screening or one that raised flags), which stay in this country.
func (db *DB) handoffAssessments(ctx context.Context, orgID, personID string) ([]handoff.Assessment, error) {
	qr, qs := db.readers(ctx)
	rows, err := qs(`SELECT `+submissionColumns+` FROM assessments WHERE org_id = ? AND person_id = ? AND status = ? ORDER BY answered_on DESC, id DESC`,
		orgID, personID, string(assessment.StatusCompleted))
	if err != nil {
		return nil, err
	}
	var subs []*assessment.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if !sub.Protected() && len(subs) < handoff.MaxAssessments {
			subs = append(subs, sub)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]handoff.Assessment, 0, len(subs))
	for i := len(subs) - 1; i >= 0; i-- {
		sub := subs[i]
		a := handoff.Assessment{FormID: sub.FormID, FormVersion: sub.FormVersion, AnsweredOn: sub.AnsweredOn, Round: sub.Round, Answers: sub.Answers}
		if fv, err := scanFormVersion(qr(`SELECT `+formColumns+` FROM assessment_forms WHERE form_id = ? AND version = ?`, sub.FormID, sub.FormVersion), false); err == nil {
			a.Title = fv.Title.Get("en", "en")
		}
		if s := sub.Score; s != nil {
			a.Score = &handoff.Score{Scheme: s.SchemeID + " " + s.SchemeVersion, Dimensions: s.Dimensions, Composite: s.Composite}
		}
		out = append(out, a)
	}
	return out, nil
}

// scoreFeedback tells the partner that announced a person the band of
// their sustainability score at a milestone (6 or 12 months), when the
// completed submission is such a follow-up survey on a case opened from
// an accepted arrival, the person's handoff-feedback consent names that
// partner, and the band was not already sent for that milestone. Without
// the consent nothing is queued and the withholding is audited.
func (tx *Tx) scoreFeedback(sub *assessment.Submission) error {
	months, ok := assessment.RoundMonths(sub.Round)
	if sub.FormID != assessment.SurveyFormID || !ok || !slices.Contains(handoff.Milestones, months) || sub.Score == nil || sub.Score.Composite == nil || sub.CaseID == "" {
		return nil
	}
	var arrivalID, partnerID, messageID string
	err := tx.QueryRow(`SELECT id, partner_id, message_id FROM handoff_arrivals WHERE org_id = ? AND case_id = ? AND state = ?`,
		sub.OrgID, sub.CaseID, handoff.ArrivalAccepted).Scan(&arrivalID, &partnerID, &messageID)
	if err == errNoRows {
		return nil
	} else if err != nil {
		return err
	}
	sent, err := tx.sentFeedback(sub.OrgID, arrivalID)
	if err != nil {
		return err
	}
	for _, f := range sent {
		if f.Status == handoff.StatusSustainability && f.Milestone == months {
			return nil
		}
	}
	_, qs := tx.readers()
	consents, err := personConsents(qs, sub.PersonID)
	if err != nil {
		return err
	}
	if _, ok := registry.ConsentValid(consents, registry.PurposeHandoffFeedback, registry.Recipient{Partner: partnerID}, tx.now); !ok {
		return tx.Audit("handoff.feedback_withheld", "handoff_arrival", arrivalID, sub.OrgID, map[string]any{"partner_id": partnerID, "milestone": months, "reason": "no_consent"})
	}
	return tx.queueFeedbackMsg(partnerID, sub.OrgID, arrivalID, &handoff.Feedback{AnnouncementID: messageID, Status: handoff.StatusSustainability,
		Milestone: months, Band: handoff.ScoreBand(*sub.Score.Composite)})
}

// sentFeedback lists the feedback queued on an arrival, oldest first.
func (tx *Tx) sentFeedback(org, arrivalID string) ([]handoff.Feedback, error) {
	_, qs := tx.readers()
	return sentFeedback(qs, org, arrivalID)
}

func sentFeedback(qs func(string, ...any) (rowsT, error), org, arrivalID string) ([]handoff.Feedback, error) {
	rows, err := qs(`SELECT body FROM handoff_outbox WHERE org_id = ? AND case_id = ? AND kind = ? ORDER BY created_at, id`, org, arrivalID, handoff.TypeFeedback)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []handoff.Feedback
	for rows.Next() {
		var body string
		var env handoff.Envelope
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if json.Unmarshal([]byte(body), &env) == nil && env.Feedback != nil {
			out = append(out, *env.Feedback)
		}
	}
	return out, rows.Err()
}

// SetPartnerStatus suspends a partner (its messages are refused, and
// nothing is sent to it: messages for it wait in the outbox) or makes it
// active again. Operator administrators only; audited.
func (db *DB) SetPartnerStatus(ctx context.Context, partnerID, status string) (*handoff.Partner, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPartnerManage, homeward.Resource{Type: "partner", ID: partnerID, OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	if status != handoff.PartnerActive && status != handoff.PartnerSuspended {
		return nil, &homeward.Error{Code: homeward.EINVALID, Key: "error.field.invalid_choice", Field: "status", Args: map[string]any{"value": status}, Message: "“" + status + "” is not one of the allowed values."}
	}
	err := db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		p, err := partnerByID(qr, partnerID)
		if err != nil {
			return err
		}
		if p.Status == status {
			return homeward.Errorf(homeward.ECONFLICT, "handoff.partner.status_unchanged", "The partner already has this status.")
		}
		if _, err := tx.Exec(`UPDATE partners SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, status, tx.now, partnerID, p.Status); err != nil {
			return err
		}
		action := "handoff.partner_suspended"
		if status == handoff.PartnerActive {
			action = "handoff.partner_resumed"
		}
		return tx.Audit(action, "partner", partnerID, actorOrg(actor), map[string]any{"name": p.Name})
	})
	if err != nil {
		return nil, err
	}
	return db.Partner(ctx, partnerID)
}
