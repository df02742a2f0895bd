package web

import (
	"net/http"
	"slices"
	"strconv"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/referral"
)

// routesWebhooks registers the administrators' webhook subscriptions: the
// list with a form to add one, the new subscription's secret (shown once),
// stopping one, and each subscription's delivery log.
func (w *Web) routesWebhooks() {
	w.handle("GET /webhooks", w.webhookList, true)
	w.handle("POST /webhooks", w.webhookCreate, true)
	w.handle("GET /webhooks/{id}", w.webhookView, true)
	w.handle("POST /webhooks/{id}/delete", w.webhookDelete, true)
}

type webhookRow struct {
	ID, URL, Created string
	Active           bool
}

type webhookListData struct {
	Rows []webhookRow
	URL  string // the form's value after an error
	// Created is the subscription just made, with its secret: shown once.
	Created *referral.Webhook
}

func (w *Web) webhookRows(r *http.Request, lng string) ([]webhookRow, error) {
	loc := w.clock(r).Location()
	hooks, err := w.svc.Referral.FindWebhooks(r.Context())
	if err != nil {
		return nil, err
	}
	rows := make([]webhookRow, 0, len(hooks))
	for _, h := range hooks {
		rows = append(rows, webhookRow{ID: h.ID, URL: h.URL, Created: timeText(lng, loc, h.CreatedAt), Active: h.Active})
	}
	return rows, nil
}

func (w *Web) webhookPage(rw http.ResponseWriter, r *http.Request, status int, d *webhookListData, formErr error) error {
	p := w.newPage(r, "webhook.ui.title", d)
	if formErr != nil {
		if err := formErrors(p, formErr, nil); err != nil {
			return err
		}
	}
	rows, err := w.webhookRows(r, p.Lang)
	if err != nil {
		return err
	}
	d.Rows = rows
	return w.render(rw, status, "webhooks", p)
}

func (w *Web) webhookList(rw http.ResponseWriter, r *http.Request) error {
	return w.webhookPage(rw, r, http.StatusOK, &webhookListData{}, nil)
}

// webhookCreate subscribes a partner system; the page that answers is the
// only one that ever shows the secret.
func (w *Web) webhookCreate(rw http.ResponseWriter, r *http.Request) error {
	h := &referral.Webhook{URL: r.PostFormValue("url")}
	if err := w.svc.Referral.CreateWebhook(r.Context(), h); err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			return err
		}
		return w.webhookPage(rw, r, http.StatusBadRequest, &webhookListData{URL: h.URL}, err)
	}
	return w.webhookPage(rw, r, http.StatusCreated, &webhookListData{Created: h}, nil)
}

func (w *Web) webhookDelete(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if err := w.svc.Referral.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(rw, r, "/webhooks?ok=webhook.ui.deleted", http.StatusSeeOther)
	return nil
}

type hookDeliveryRow struct {
	ID, At, Event, Status, StatusText, LastError, HTTPStatus, Attempts, Next string
}

type webhookViewData struct {
	Hook       webhookRow
	Deliveries []hookDeliveryRow
}

// webhookView is a subscription's delivery log, newest first.
func (w *Web) webhookView(rw http.ResponseWriter, r *http.Request) error {
	loc := w.clock(r).Location()
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	list, err := w.svc.Referral.WebhookDeliveries(r.Context(), id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "webhook.ui.log", nil)
	rows, err := w.webhookRows(r, p.Lang)
	if err != nil {
		return err
	}
	d := &webhookViewData{}
	for _, h := range rows {
		if h.ID == id {
			d.Hook = h
		}
	}
	num := func(n int) string { return i18n.Digits(p.Lang, strconv.Itoa(n)) }
	// Newest first by the time of the event (ids follow the order of
	// writing, which imports and the demo's replayed history do not keep).
	slices.SortStableFunc(list, func(a, b referral.WebhookDelivery) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for _, x := range list {
		row := hookDeliveryRow{ID: x.ID, At: timeText(p.Lang, loc, x.CreatedAt), Event: x.Event.Type, Status: x.Status,
			StatusText: label(p.Lang, "webhook.ui.status", x.Status), LastError: x.LastError, Attempts: num(x.Attempts)}
		if x.LastStatus != 0 {
			row.HTTPStatus = num(x.LastStatus)
		}
		if x.NextAt != nil {
			row.Next = timeText(p.Lang, loc, *x.NextAt)
		}
		d.Deliveries = append(d.Deliveries, row)
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "webhook_view", p)
}
