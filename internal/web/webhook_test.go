package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/referral"
)

var hookRe = regexp.MustCompile(`id="hook-([0-9a-f-]{36})"`)

func TestWebhookPages(t *testing.T) {
	b, w := newBrowser(t)
	provider, staff, pid := referralWorld(t, w)
	admin := b.fresh()
	admin.login("admin@provider.test")
	status, page := admin.get("/webhooks")
	if status != 200 || !strings.Contains(page, `id="webhooks-empty"`) || !strings.Contains(page, `id="nav-webhooks"`) {
		t.Fatalf("empty list: %d\n%s", status, page)
	}
	token := csrf(t, page)

	// A bad address is refused with the translated message, in English and Bangla.
	status, page = admin.post("/webhooks", url.Values{"csrf_token": {token}, "url": {"http://partner.example/hook"}})
	if status != 400 || !strings.Contains(page, "Give an https:// address.") || !strings.Contains(page, `value="http://partner.example/hook"`) {
		t.Errorf("bad URL: %d\n%s", status, page)
	}
	admin.get("/lang?to=bn&back=/")
	if status, page := admin.post("/webhooks", url.Values{"csrf_token": {token}, "url": {"ftp://x"}}); status != 400 || !strings.Contains(page, "একটি https:// ঠিকানা দিন।") {
		t.Errorf("Bangla bad URL: %d", status)
	}
	admin.get("/lang?to=en&back=/")
	if status, _ := admin.post("/webhooks", url.Values{"url": {"https://partner.example/hook"}}); status != 403 {
		t.Errorf("without CSRF: %d", status)
	}

	// Created: the secret is shown once.
	status, page = admin.post("/webhooks", url.Values{"csrf_token": {token}, "url": {"https://partner.example/hook"}})
	m := hookRe.FindStringSubmatch(page)
	if status != 201 || m == nil || !strings.Contains(page, `id="webhook-secret">whsec_`) {
		t.Fatalf("create: %d\n%s", status, page)
	}
	hookID := m[1]
	if _, page := admin.get("/webhooks"); strings.Contains(page, "whsec_") || !strings.Contains(page, "https://partner.example/hook") {
		t.Error("the secret is shown again, or the webhook is missing")
	}

	// A referral to the provider is queued for the webhook and shows in its log.
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	rec, err := w.DB.FindRecord(cw, pid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "skills_training"}); err != nil {
		t.Fatal(err)
	}
	status, page = admin.get("/webhooks/" + hookID)
	if status != 200 || !strings.Contains(page, "<code>referral.sent</code>") || !strings.Contains(page, "Pending") {
		t.Errorf("delivery log: %d\n%s", status, page)
	}

	// Others: provider staff are refused; another organisation's admin is
	// told the webhook does not exist.
	prov := b.fresh()
	prov.login(staff.Email)
	if status, page := prov.get("/webhooks"); status != 403 || strings.Contains(page, `id="nav-webhooks"`) {
		t.Errorf("provider staff list: %d", status)
	}
	if status, _ := prov.post("/webhooks", url.Values{"csrf_token": {token}, "url": {"https://x.example/"}}); status != 403 {
		t.Errorf("provider staff create: %d", status)
	}
	other := b.as(w, "ngo", homeward.RoleAdministrator)
	_, page = other.get("/webhooks")
	if strings.Contains(page, hookID) {
		t.Error("another organisation's webhook is listed")
	}
	if status, _ := other.get("/webhooks/" + hookID); status != 404 {
		t.Errorf("other organisation's log: %d", status)
	}
	if status, _ := other.post("/webhooks/"+hookID+"/delete", url.Values{"csrf_token": {csrf(t, page)}}); status != 404 {
		t.Errorf("other organisation's delete: %d", status)
	}

	// Deleted: stopped, the pending delivery failed, the log kept.
	status, page = admin.post("/webhooks/"+hookID+"/delete", url.Values{"csrf_token": {token}})
	if status != 200 || !strings.Contains(page, "Webhook deleted") || !strings.Contains(page, "Stopped") || strings.Contains(page, `id="delete-`+hookID+`"`) {
		t.Errorf("delete: %d\n%s", status, page)
	}
	if _, page := admin.get("/webhooks/" + hookID); !strings.Contains(page, "Failed") || !strings.Contains(page, "webhook deleted") {
		t.Errorf("log after delete:\n%s", page)
	}
}
