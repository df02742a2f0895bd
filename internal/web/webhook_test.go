package web_test

import (
	"html"
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

	// A bad address is refused with a message saying why, in English and
	// Bangla: the sender would refuse it (private addresses are not
	// allowed on this server).
	bad := []struct{ url, en, bn string }{
		{"http://partner.example/hook", "Use https://. Plain http:// is accepted only", "https:// ব্যবহার করুন।"},
		{"http://localhost:8080/hook", "This server does not send webhooks to its own machine", "এই সার্ভার নিজের মেশিনে"},
		{"https://10.0.0.5/hook", "This server does not send webhooks to its own machine", "এই সার্ভার নিজের মেশিনে"},
		{"https://user:pass@partner.example/hook", "Leave the user name and password out of the address", "ঠিকানায় ব্যবহারকারীর নাম ও পাসওয়ার্ড দেবেন না"},
		{"ftp://x", "Give a complete https:// address of at most 500 characters.", "সর্বোচ্চ ৫০০ অক্ষরের একটি সম্পূর্ণ https:// ঠিকানা দিন।"},
	}
	for _, lang := range []string{"en", "bn"} {
		admin.get("/lang?to=" + lang + "&back=/")
		for _, tt := range bad {
			want := tt.en
			if lang == "bn" {
				want = tt.bn
			}
			status, page := admin.post("/webhooks", url.Values{"csrf_token": {token}, "url": {tt.url}})
			if status != 400 || !strings.Contains(html.UnescapeString(page), want) || !strings.Contains(page, `value="`+html.EscapeString(tt.url)+`"`) {
				t.Errorf("%s %s: %d, want %q\n%s", lang, tt.url, status, want, page)
			}
		}
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
