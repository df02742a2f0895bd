package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"

	"homeward"
	"homeward/internal/referral"
)

// enqueueWebhooks queues event about r for every active webhook of orgID,
// in the transaction that made the change.
func (tx *Tx) enqueueWebhooks(r *referral.Referral, typ, orgID string) error {
	rows, err := tx.Query(`SELECT id FROM webhooks WHERE org_id = ? AND active = ?`, orgID, true)
	if err != nil {
		return err
	}
	var hooks []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		hooks = append(hooks, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range hooks {
		ev := referral.Event{ID: homeward.NewID(), Type: typ, At: tx.now, ReferralID: r.ID, State: r.State, Service: r.ServiceType, FromOrgID: r.FromOrgID, ToOrgID: r.ToOrgID}
		b, _ := json.Marshal(ev)
		if _, err := tx.Exec(`INSERT INTO webhook_deliveries (id, webhook_id, org_id, event, status, attempts, next_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
			ev.ID, h, orgID, string(b), tx.now, tx.now); err != nil {
			return err
		}
	}
	return nil
}

func validHookURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || len(s) > 500 {
		return false
	}
	host := u.Hostname()
	return u.Scheme == "https" || u.Scheme == "http" && (host == "127.0.0.1" || host == "localhost" || host == "::1")
}

// CreateWebhook subscribes a partner system to its organisation's referral
// events (administrators). The secret is generated and returned once.
func (db *DB) CreateWebhook(ctx context.Context, w *referral.Webhook) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActOrgUpdate, homeward.Resource{Type: "webhook", OrgID: org}); err != nil {
		return err
	}
	w.URL = strings.TrimSpace(w.URL)
	if !validHookURL(w.URL) {
		return homeward.FieldErrorf("url", "referral.webhook.url", "Give an https:// address.")
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	w.ID, w.OrgID, w.Secret, w.Active = homeward.NewID(), org, "whsec_"+hex.EncodeToString(b), true
	return db.Transact(ctx, func(tx *Tx) error {
		w.CreatedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO webhooks (id, org_id, url, secret, active, created_at) VALUES (?, ?, ?, ?, ?, ?)`, w.ID, org, w.URL, w.Secret, true, tx.now); err != nil {
			return err
		}
		return tx.Audit("webhook.create", "webhook", w.ID, org, map[string]any{"url": w.URL})
	})
}

// FindWebhooks lists the organisation's webhooks, without secrets.
func (db *DB) FindWebhooks(ctx context.Context) ([]referral.Webhook, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActOrgUpdate, homeward.Resource{Type: "webhook", OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, url, active, created_at FROM webhooks WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []referral.Webhook{}
	for rows.Next() {
		w := referral.Webhook{OrgID: org}
		if err := rows.Scan(&w.ID, &w.URL, &w.Active, dbTime{&w.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (db *DB) webhookOrg(ctx context.Context, id string) (string, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM webhooks WHERE id = ?`, id).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActOrgUpdate, homeward.Resource{Type: "webhook", OrgID: actorOrg(actor)}); err != nil {
			return "", err
		}
		return "", notFound(err)
	}
	if org != actorOrg(actor) && !actor.System {
		return "", homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	return org, homeward.Authorize(actor, homeward.ActOrgUpdate, homeward.Resource{Type: "webhook", ID: id, OrgID: org})
}

// DeleteWebhook stops a webhook; its delivery log is kept.
func (db *DB) DeleteWebhook(ctx context.Context, id string) error {
	org, err := db.webhookOrg(ctx, id)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE webhooks SET active = ? WHERE id = ?`, false, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE webhook_deliveries SET status = 'failed', next_at = NULL, last_error = 'webhook deleted' WHERE webhook_id = ? AND status = 'pending'`, id); err != nil {
			return err
		}
		return tx.Audit("webhook.delete", "webhook", id, org, nil)
	})
}

const hookDeliveryColumns = `id, webhook_id, event, status, attempts, last_status, last_error, next_at, delivered_at, created_at`

func scanHookDelivery(s scanner) (*referral.WebhookDelivery, error) {
	var d referral.WebhookDelivery
	var ev string
	if err := s.Scan(&d.ID, &d.WebhookID, &ev, &d.Status, &d.Attempts, &d.LastStatus, &d.LastError, dbNullTime{&d.NextAt}, dbNullTime{&d.DeliveredAt}, dbTime{&d.CreatedAt}); err != nil {
		return nil, err
	}
	return &d, json.Unmarshal([]byte(ev), &d.Event)
}

// WebhookDeliveries returns a webhook's delivery log, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, webhookID string) ([]referral.WebhookDelivery, error) {
	if _, err := db.webhookOrg(ctx, webhookID); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+hookDeliveryColumns+` FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT 200`, webhookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []referral.WebhookDelivery{}
	for rows.Next() {
		d, err := scanHookDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// DeliverWebhooks sends the deliveries that are due (system only), signing
// each body, and records the attempt: delivered on a 2xx answer, otherwise
// retried on the back-off schedule and finally given up.
func (db *DB) DeliverWebhooks(ctx context.Context, send referral.Sender) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil || !actor.System {
		return 0, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	type due struct {
		id, url, secret, event string
		attempts               int
	}
	rows, err := db.query(ctx, `SELECT d.id, w.url, w.secret, d.event, d.attempts FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.status = 'pending' AND d.next_at <= ? AND w.active = ? ORDER BY d.next_at, d.id LIMIT 100`, db.Now(), true)
	if err != nil {
		return 0, err
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.url, &d.secret, &d.event, &d.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range list {
		now := db.Now()
		body := []byte(d.event)
		status, err := send(ctx, d.url, referral.Sign([]byte(d.secret), now, body), body)
		attempts := d.attempts + 1
		msg := ""
		if err != nil {
			msg = err.Error()
			if len(msg) > 300 {
				msg = msg[:300]
			}
		}
		var q string
		var args []any
		if err == nil && status >= 200 && status < 300 {
			sent++
			q, args = `UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, last_status = ?, last_error = '', next_at = NULL, delivered_at = ? WHERE id = ?`,
				[]any{attempts, status, now, d.id}
		} else if next, ok := referral.NextAttempt(attempts, now); ok {
			q, args = `UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?, next_at = ? WHERE id = ?`, []any{attempts, status, msg, next, d.id}
		} else {
			q, args = `UPDATE webhook_deliveries SET status = 'failed', attempts = ?, last_status = ?, last_error = ?, next_at = NULL WHERE id = ?`, []any{attempts, status, msg, d.id}
		}
		if err := db.Transact(ctx, func(tx *Tx) error { _, err := tx.Exec(q, args...); return err }); err != nil {
			return sent, err
		}
	}
	return sent, nil
}
