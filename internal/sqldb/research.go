package sqldb

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/indicator"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// ResearchScope returns the organisation a research extract covers for the
// actor in ctx: org when given (the operator's analysts may name any), the
// actor's own otherwise, "" (every organisation) for the operator's
// analysts and the system.
func (db *DB) ResearchScope(ctx context.Context, org string) (string, error) {
	actor := homeward.ActorFromContext(ctx)
	if org == "" && actor != nil && !actor.Operator && !actor.System {
		org = actorOrg(actor)
	}
	if err := homeward.Authorize(actor, homeward.ActResearchExport, homeward.Resource{Type: "research", OrgID: org}); err != nil {
		return "", err
	}
	return org, nil
}

// ResearchRows streams the de-identified rows of the people who returned
// in from..to (months, inclusive) and whose consent to anonymised research
// stands, in org ("" every organisation; see ResearchScope, which callers
// run first). Nothing that names or identifies a person leaves: no names,
// identifiers, phones or free text; dates are months, ages groups, places
// districts.
func (db *DB) ResearchRows(ctx context.Context, org string, from, to indicator.Month, fn func(indicator.ResearchRow) error) (int, error) {
	if _, err := db.ResearchScope(ctx, org); err != nil {
		return 0, err
	}
	latest := func(cond string) string {
		return `(SELECT a.round || '|' || COALESCE(` + db.dialect.jsonText("a.answers", "income_source") + `, '') || '|' || COALESCE(a.score, '')
			FROM assessments a WHERE a.person_id = p.id AND a.status = 'completed' AND a.form_id = 'rss'` + cond + `
			ORDER BY a.answered_on DESC, a.id DESC LIMIT 1)`
	}
	q := `SELECT c.sex, p.date_of_birth, c.district, c.destination_country, c.return_type, c.return_date, c.status,
			(SELECT COUNT(*) FROM plans pl WHERE pl.case_id = c.id),
			(SELECT COUNT(*) FROM referrals r WHERE r.case_id = c.id),
			(SELECT COUNT(*) FROM referrals r WHERE r.case_id = c.id AND r.state = 'completed'),
			` + latest(` AND a.round = 'baseline'`) + `, ` + latest(``) + `
		FROM cases c JOIN people p ON p.id = c.person_id
		WHERE c.merged_into IS NULL AND p.merged_into IS NULL AND c.return_date >= ? AND c.return_date < ?
			AND EXISTS (SELECT 1 FROM consents k WHERE k.person_id = p.id AND k.purpose = ? AND k.withdrawn_at IS NULL)` + notErased
	// return_date is YYYY-MM-DD (or coarser): the months' range as text.
	end, err := time.Parse("2006-01", string(to))
	if err != nil {
		return 0, err
	}
	args := []any{string(from), end.AddDate(0, 1, 0).Format("2006-01"), string(registry.PurposeResearch)}
	if org != "" {
		q += ` AND c.org_id = ?`
		args = append(args, org)
	}
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(q), db.args(args)...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sex, dob, district, dest, rtype, ret, status string
		var plans, refs, done int
		var baseline, last *string
		if err := rows.Scan(&sex, &dob, &district, &dest, &rtype, &ret, &status, &plans, &refs, &done, &baseline, &last); err != nil {
			return n, err
		}
		born, year := 0, 0
		if len(dob) >= 4 {
			born, _ = strconv.Atoi(dob[:4])
		}
		if len(ret) >= 4 {
			year, _ = strconv.Atoi(ret[:4])
		}
		r := indicator.ResearchRow{"sex": sex, "age_group": indicator.AgeGroup(born, year), "district": district,
			"destination_country": dest, "return_type": rtype, "case_status": status,
			"has_plan": yesNo(plans > 0), "referrals": strconv.Itoa(refs), "services_completed": strconv.Itoa(done)}
		if len(ret) >= 7 {
			r["return_month"] = ret[:7]
		}
		if baseline != nil {
			r["baseline_score"], _, _ = surveyParts(*baseline)
		}
		if last != nil {
			r["latest_score"], r["latest_round"], r["latest_income_source"] = surveyParts(*last)
		}
		n++
		if err := fn(r); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}

// RecordResearchExport notes an extract in the audit log: who, which
// period and organisation, the quasi-identifiers and k, and how many rows
// were written and suppressed.
func (db *DB) RecordResearchExport(ctx context.Context, org string, detail map[string]any) error {
	return db.Transact(ctx, func(tx *Tx) error {
		return tx.Audit("research.export", "research", "", org, detail)
	})
}

// surveyParts splits "round|income|score JSON" into the composite score
// (two decimals), the round and the income source.
func surveyParts(s string) (score, round, income string) {
	parts := strings.SplitN(s, "|", 3)
	if len(parts) != 3 {
		return "", "", ""
	}
	if parts[2] != "" {
		var res scoring.Result
		if json.Unmarshal([]byte(parts[2]), &res) == nil && res.Composite != nil {
			score = strconv.FormatFloat(*res.Composite, 'f', 2, 64)
		}
	}
	return score, parts[0], parts[1]
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
