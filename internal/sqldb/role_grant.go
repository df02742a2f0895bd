package sqldb

import (
	"context"
	"slices"

	"homeward"
)

const grantColumns = `id, org_id, user_id, role, state, requested_by, requested_at, decided_by, decided_at`

func scanGrant(s interface{ Scan(...any) error }) (*homeward.RoleGrant, error) {
	g := &homeward.RoleGrant{}
	var decidedBy *string
	if err := s.Scan(&g.ID, &g.OrgID, &g.UserID, &g.Role, &g.State, &g.RequestedBy, dbTime{&g.RequestedAt}, &decidedBy, dbNullTime{&g.DecidedAt}); err != nil {
		return nil, err
	}
	if decidedBy != nil {
		g.DecidedBy = *decidedBy
	}
	return g, nil
}

// FindRoleGrants lists the grants waiting in the actor's organisation,
// oldest first; the operator's administrators also see every
// organisation's pending administrator grants, which they may decide.
func (db *DB) FindRoleGrants(ctx context.Context) ([]*homeward.RoleGrant, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActRoleGrantApprove, homeward.Resource{Type: "role_grant"}); err != nil {
		return nil, err
	}
	where, args := `org_id = ? AND state = ?`, []any{actor.OrgID, homeward.GrantPending}
	if actor.Operator {
		where = `state = ? AND (org_id = ? OR role = ?)`
		args = []any{homeward.GrantPending, actor.OrgID, string(homeward.RoleAdministrator)}
	}
	rows, err := db.query(ctx, `SELECT `+grantColumns+` FROM role_grants WHERE `+where+` ORDER BY id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*homeward.RoleGrant{}
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// DecideRoleGrant approves or rejects a pending grant (see
// homeward.AuthorizeGrantDecision); an approved role is given to the user at
// once, and their cached API tokens are read afresh.
func (db *DB) DecideRoleGrant(ctx context.Context, id string, approve bool) (*homeward.RoleGrant, error) {
	actor := homeward.ActorFromContext(ctx)
	var g *homeward.RoleGrant
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		g, err = scanGrant(tx.QueryRow(`SELECT `+grantColumns+` FROM role_grants WHERE id = ?`, id))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActRoleGrantApprove, homeward.Resource{Type: "role_grant"}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.AuthorizeGrantDecision(actor, g); err != nil {
			return err
		}
		if g.State != homeward.GrantPending {
			return homeward.Errorf(homeward.ECONFLICT, "error.grant.decided", "This grant has already been decided.")
		}
		g.State, g.DecidedBy = homeward.GrantRejected, actor.UserID
		now := tx.now
		g.DecidedAt = &now
		if approve {
			g.State = homeward.GrantApproved
			var roles string
			if err := tx.QueryRow(`SELECT roles FROM users WHERE id = ?`, g.UserID).Scan(&roles); err != nil {
				return err
			}
			rs := splitRoles(roles)
			if !slices.Contains(rs, g.Role) {
				rs = append(rs, g.Role)
				slices.Sort(rs)
			}
			tx.authChanged()
			if _, err := tx.Exec(`UPDATE users SET roles = ?, version = version + 1, updated_at = ? WHERE id = ?`, joinRoles(rs), tx.now, g.UserID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE role_grants SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?`, g.State, g.DecidedBy, g.DecidedAt, g.ID); err != nil {
			return err
		}
		action := "role_grant.reject"
		if approve {
			action = "role_grant.approve"
		}
		return tx.Audit(action, "role_grant", g.ID, g.OrgID, map[string]any{"user_id": g.UserID, "role": g.Role, "requested_by": g.RequestedBy})
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}
