package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/webhook"
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

// hookURLErrors are the field errors for the reasons webhook.CheckURL
// gives; any other reason is webhook.ErrURLInvalid's.
var hookURLErrors = []struct {
	reason   error
	key, msg string
}{
	{webhook.ErrURLCredentials, "referral.webhook.url_credentials", "Leave the user name and password out of the address: addresses are shown on pages and in logs. Each message is signed with the webhook's secret instead."},
	{webhook.ErrURLInsecure, "referral.webhook.url_https", "Use https://. Plain http:// is accepted only for this server's own machine (localhost), and only where the server allows private addresses."},
	{webhook.ErrForbiddenDestination, "referral.webhook.url_private", "This server does not send webhooks to its own machine or to private or link-local networks. Give an address of your system that is reachable from the internet."},
}

// checkHookURL applies webhook.CheckURL as the server's sender does and
// turns its reason into a translated field error.
func (db *DB) checkHookURL(u string) error {
	reason := webhook.CheckURL(u, db.WebhookAllowPrivate)
	if reason == nil {
		return nil
	}
	for _, e := range hookURLErrors {
		if errors.Is(reason, e.reason) {
			return homeward.FieldErrorf("url", e.key, "%s", e.msg)
		}
	}
	err := homeward.FieldErrorf("url", "referral.webhook.url", "Give a complete https:// address of at most %d characters.", webhook.MaxURLLength)
	err.Args = map[string]any{"max": webhook.MaxURLLength}
	return err
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
	if err := db.checkHookURL(w.URL); err != nil {
		return err
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

// WebhookDeliveries returns a webhook's delivery log, newest first, each
// delivery with its attempts.
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
	idx := map[string]int{}
	var ids []any
	for rows.Next() {
		d, err := scanHookDelivery(rows)
		if err != nil {
			return nil, err
		}
		d.Log = []referral.WebhookAttempt{}
		idx[d.ID] = len(out)
		ids = append(ids, d.ID)
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(ids) == 0 {
		return out, nil
	}
	arows, err := db.query(ctx, `SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id IN (`+placeholders(len(ids))+`) ORDER BY delivery_id, attempt`, ids...)
	if err != nil {
		return nil, err
	}
	defer arows.Close()
	for arows.Next() {
		var id string
		var a referral.WebhookAttempt
		if err := arows.Scan(&id, &a.Attempt, dbTime{&a.At}, &a.StatusCode, &a.Error, &a.DurationMS); err != nil {
			return nil, err
		}
		d := &out[idx[id]]
		d.Log = append(d.Log, a)
	}
	return out, arows.Err()
}

// claimLease is how long a claimed delivery stays hidden from other
// workers while it is being sent: far longer than a send may take (the
// HTTP sender gives up after seconds). Should a worker die mid-send, the
// delivery is sent again once the lease has run out; receivers drop the
// duplicate by its delivery id.
const claimLease = 5 * time.Minute

// deliverBatch bounds one DeliverWebhooks call, so that a backlog cannot
// keep a worker from stopping or from its other work for long.
const deliverBatch = 100

type dueHook struct {
	id, url, secret, event string
	attempts               int
	nextAt                 time.Time
}

// claimWebhook takes the next due delivery for this worker: in one
// transaction it picks the row and moves its next_at past the lease, so
// that no other worker sends it meanwhile. On PostgreSQL rows another
// worker is claiming are skipped rather than waited for; SQLite's write
// transactions are exclusive anyway. It returns nil when nothing is due.
func (db *DB) claimWebhook(ctx context.Context) (*dueHook, error) {
	lock := ""
	if db.dialect == postgres {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	// Most ticks find nothing due: a read says so without taking the
	// writer (SQLite has one).
	var one int
	if err := db.queryRow(ctx, `SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_at <= ? LIMIT 1`, db.Now()).Scan(&one); err == errNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out *dueHook
	err := db.Transact(ctx, func(tx *Tx) error {
		var d dueHook
		err := tx.QueryRow(`SELECT d.id, w.url, w.secret, d.event, d.attempts, d.next_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = 'pending' AND d.next_at <= ? AND w.active = ? ORDER BY d.next_at, d.id LIMIT 1`+lock, tx.now, true).
			Scan(&d.id, &d.url, &d.secret, &d.event, &d.attempts, dbTime{&d.nextAt})
		if err == errNoRows {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE webhook_deliveries SET next_at = ? WHERE id = ?`, tx.now.Add(claimLease), d.id); err != nil {
			return err
		}
		out = &d
		return nil
	})
	return out, err
}

// DeliverWebhooks sends the deliveries that are due (system only), one at a
// time, each claimed first so that concurrent workers never send the same
// one together, signs each body, and records the attempt in the delivery
// log: delivered on a 2xx answer, otherwise retried on the back-off
// schedule and finally given up. When ctx ends during a send, the delivery
// is handed back untouched and ctx's error returned.
func (db *DB) DeliverWebhooks(ctx context.Context, send referral.Sender) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil || !actor.System {
		return 0, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	// Recording an attempt must not be cut short by shutdown: the request
	// has been made.
	bg := context.WithoutCancel(ctx)
	sent := 0
	for range deliverBatch {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		d, err := db.claimWebhook(ctx)
		if err != nil || d == nil {
			return sent, err
		}
		at := db.Now()
		body := []byte(d.event)
		start := time.Now()
		status, sendErr := send(ctx, referral.Message{DeliveryID: d.id, URL: d.url, Signature: referral.Sign([]byte(d.secret), at, body), Body: body})
		took := time.Since(start)
		if sendErr != nil && ctx.Err() != nil {
			// Interrupted by shutdown: that says nothing about the
			// receiver, so the attempt does not count.
			if _, err := db.write.ExecContext(bg, db.dialect.rebind(`UPDATE webhook_deliveries SET next_at = ? WHERE id = ? AND status = 'pending' AND attempts = ?`),
				db.args([]any{d.nextAt, d.id, d.attempts})...); err != nil {
				db.Logger.Warn("webhook: hand back delivery", "delivery", d.id, "err", err)
			}
			return sent, ctx.Err()
		}
		ok, err := db.recordAttempt(bg, d, at, status, sendErr, took)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// recordAttempt stores the outcome of one attempt and reports whether it
// was delivered. The update is conditional on the claim still being this
// worker's (same attempt count, still pending): a delivery deleted or
// taken over meanwhile is left alone.
func (db *DB) recordAttempt(ctx context.Context, d *dueHook, at time.Time, status int, sendErr error, took time.Duration) (bool, error) {
	attempts := d.attempts + 1
	msg := ""
	if sendErr != nil {
		status = 0
		msg = sendErr.Error()
		if len(msg) > 300 {
			msg = strings.ToValidUTF8(msg[:300], "")
		}
	}
	delivered := sendErr == nil && status >= 200 && status < 300
	var q string
	var args []any
	if delivered {
		q, args = `UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, last_status = ?, last_error = '', next_at = NULL, delivered_at = ?`, []any{attempts, status, at}
	} else if next, ok := referral.NextAttempt(attempts, at); ok {
		q, args = `UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?, next_at = ?`, []any{attempts, status, msg, next}
	} else {
		q, args = `UPDATE webhook_deliveries SET status = 'failed', attempts = ?, last_status = ?, last_error = ?, next_at = NULL`, []any{attempts, status, msg}
	}
	q += ` WHERE id = ? AND status = 'pending' AND attempts = ?`
	args = append(args, d.id, d.attempts)
	recorded := false
	err := db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.Exec(q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		recorded = true
		_, err = tx.Exec(`INSERT INTO webhook_attempts (id, delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			homeward.NewID(), d.id, attempts, at, status, msg, took.Milliseconds())
		return err
	})
	return delivered && recorded, err
}
