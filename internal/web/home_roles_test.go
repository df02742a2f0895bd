package web_test

import (
	"regexp"
	"strings"
	"testing"

	"homeward"
)

var hrefRe = regexp.MustCompile(`(?:href|hx-get)="(/[^"#]*)"`)

// Every role's home page and menu lead only to pages that role can use: a
// crawl of every link on the home page (and what it loads with htmx) and in
// the menu finds no 403, 404 or 500.
func TestEveryRoleHomeLinksWork(t *testing.T) {
	for _, org := range []string{"operator", "ngo"} {
		for _, role := range homeward.Roles {
			for _, lang := range []string{"en", "bn"} {
				t.Run(org+"/"+string(role)+"/"+lang, func(t *testing.T) {
					b, w := newBrowser(t)
					if lang == "bn" {
						b.get("/lang?to=bn&back=/login")
					}
					page := b.login(w.Users[org][role].Email)
					seen := map[string]bool{}
					queue := []string{}
					add := func(page string) {
						for _, m := range hrefRe.FindAllStringSubmatch(page, -1) {
							link := strings.ReplaceAll(m[1], "&amp;", "&")
							if strings.HasPrefix(link, "/static/") || strings.HasPrefix(link, "/lang") || seen[link] {
								continue
							}
							seen[link] = true
							queue = append(queue, link)
						}
					}
					add(page)
					// The pages the home page and the menu lead to are
					// crawled one level further (what htmx loads into the
					// home page included).
					for i := 0; i < len(queue); i++ {
						link := queue[i]
						status, body := b.get(link)
						switch status {
						case 403, 404, 500:
							t.Errorf("%s: %d", link, status)
						}
						if status == 200 && strings.Count(link, "/") < 3 {
							add(body)
						}
					}
					if len(seen) < 3 {
						t.Errorf("only %d links on the home page", len(seen))
					}
				})
			}
		}
	}
}

// The auditor has an audit screen: in the menu and on the home page, a list
// of events with filters, and the chain's state; other roles have neither.
func TestAuditScreen(t *testing.T) {
	b, w := newBrowser(t)
	page := b.login(w.Users["ngo"][homeward.RoleAuditor].Email)
	if !strings.Contains(page, `id="nav-audit"`) || !strings.Contains(page, `id="home-audit"`) {
		t.Fatal("the auditor's home has no link to the audit screen")
	}
	status, page := b.get("/audit")
	if status != 200 || !strings.Contains(page, `id="audit-events"`) || !strings.Contains(page, "<code>user.create</code>") {
		t.Fatalf("audit screen: %d\n%.2000s", status, page)
	}
	// Filtered by record type, only that type is listed.
	_, page = b.get("/audit?record_type=organisation")
	if strings.Contains(page, "<code>user.create</code>") {
		t.Error("the record-type filter does not filter")
	}
	_, page = b.get("/audit?record_type=nothing-like-this")
	if !strings.Contains(page, `id="audit-empty"`) {
		t.Error("no empty state")
	}
	status, page = b.get("/audit/verify")
	if status != 200 || !strings.Contains(page, `id="audit-chain-ok"`) {
		t.Errorf("chain status: %d", status)
	}
	b.get("/lang?to=bn&back=/audit")
	if _, page = b.get("/audit/verify"); !strings.Contains(page, "নিরীক্ষা-লগ অক্ষত আছে") {
		t.Error("the chain status is not in Bangla")
	}
	// A case worker sees no audit link, and the page refuses them.
	cw, w2 := newBrowser(t)
	page = cw.login(w2.Users["ngo"][homeward.RoleCaseWorker].Email)
	if strings.Contains(page, `href="/audit"`) {
		t.Error("a case worker is shown the audit screen")
	}
	if status, _ := cw.get("/audit"); status != 403 {
		t.Errorf("case worker on /audit: %d", status)
	}
	// The M&E analyst's home promises nothing it cannot open.
	me, w3 := newBrowser(t)
	if page := me.login(w3.Users["ngo"][homeward.RoleMEAnalyst].Email); strings.Contains(page, "dashboard") {
		t.Error("the M&E analyst's home promises dashboards")
	}
}
