package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/api"
	"homeward/internal/httpx"
	"homeward/internal/server"
)

type env struct {
	t       *testing.T
	w       *homewardtest.World
	srv     *httptest.Server
	metrics *httptest.Server  // the metrics handler, served apart
	tokens  map[string]string // "org/role" → API token secret
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with set run on the world and the server's options
// before the server is made.
func newEnvWith(t *testing.T, set func(*homewardtest.World, *server.Options)) *env {
	t.Helper()
	w := homewardtest.NewWorld(t)
	opt := server.Options{MaxBody: 4096, Logger: slog.New(slog.DiscardHandler)}
	if set != nil {
		set(w, &opt)
	}
	h, err := server.New(w.DB, opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	msrv := httptest.NewServer(h.Metrics)
	t.Cleanup(msrv.Close)
	e := &env{t: t, w: w, srv: srv, metrics: msrv, tokens: map[string]string{}}
	for _, org := range []string{"operator", "ngo"} {
		for _, r := range homeward.Roles {
			u := w.Users[org][r]
			tok := &homeward.APIToken{Name: "test", Scopes: homeward.Scopes}
			if err := w.DB.CreateToken(homewardtest.SystemCtx(), u.ID, tok); err != nil {
				t.Fatal(err)
			}
			e.tokens[org+"/"+string(r)] = tok.Secret
		}
	}
	return e
}

type call struct {
	method, path, as, body string
	header                 map[string]string
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, a.body)
	}
	return m
}

func (e *env) do(c call) answer {
	e.t.Helper()
	req, err := http.NewRequest(c.method, e.srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		e.t.Fatal(err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.as != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[c.as])
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, b}
}

func TestScenarios(t *testing.T) {
	e := newEnv(t)
	ngo, op := e.w.NGO.ID, e.w.Operator.ID
	ngoCW := e.w.Users["ngo"][homeward.RoleCaseWorker].ID
	opCW := e.w.Users["operator"][homeward.RoleCaseWorker].ID
	big := `{"name":"` + strings.Repeat("x", 5000) + `","type":"ngo","country":"BD"}`

	tests := []struct {
		name     string
		call     call
		status   int
		code     string // problem code
		field    string // a field the problem must name
		contains string
	}{
		{name: "anonymous", call: call{method: "GET", path: "/api/v1/organisations"}, status: 401, code: "unauthorized"},
		{name: "bad token", call: call{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer hw_nope"}}, status: 401, code: "unauthorized"},
		{name: "me", call: call{method: "GET", path: "/api/v1/me", as: "ngo/case_worker"}, status: 200, contains: ngoCW},
		{name: "directory visible to all", call: call{method: "GET", path: "/api/v1/organisations", as: "ngo/provider_staff"}, status: 200, contains: op},
		{name: "malformed JSON", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name": "x",`}, status: 400, code: "invalid", contains: "not valid JSON"},
		{name: "unknown field", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name":"x","type":"ngo","country":"BD","colour":"red"}`}, status: 400, field: "colour"},
		{name: "wrong type", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name":12,"type":"ngo","country":"BD"}`}, status: 400, field: "name", contains: "a string"},
		{name: "two values", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name":"a","type":"ngo","country":"BD"} {}`}, status: 400, code: "invalid"},
		{name: "empty body", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: ` `}, status: 400, code: "invalid"},
		{name: "oversized body", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: big}, status: 413, code: "too_large"},
		{name: "invalid p-code", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name":"Bad Areas","type":"ngo","country":"BD","areas":["BD3026","BD0000"]}`}, status: 400, field: "areas[1]"},
		{name: "invalid country", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name":"Bad Country","type":"ngo","country":"XY"}`}, status: 400, field: "country"},
		{name: "wrong content type", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{}`, header: map[string]string{"Content-Type": "text/plain"}}, status: 400, code: "invalid"},
		{name: "NGO admin cannot create orgs", call: call{method: "POST", path: "/api/v1/organisations", as: "ngo/administrator", body: `{"name":"X","type":"ngo","country":"BD"}`}, status: 403, code: "forbidden"},
		{name: "create org", call: call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: `{"name":"Dhaka Skills Hub","type":"service_provider","country":"bd","areas":["bd3026"]}`}, status: 201, contains: `"areas":["BD3026"]`},
		{name: "other org's user is not found", call: call{method: "GET", path: "/api/v1/users/" + opCW, as: "ngo/administrator"}, status: 404, code: "not_found"},
		{name: "own org's user", call: call{method: "GET", path: "/api/v1/users/" + ngoCW, as: "ngo/administrator"}, status: 200},
		{name: "junk id", call: call{method: "GET", path: "/api/v1/users/123", as: "ngo/administrator"}, status: 404},
		{name: "unknown route", call: call{method: "GET", path: "/api/v1/nope", as: "ngo/administrator"}, status: 404},
		{name: "update needs If-Match", call: call{method: "PATCH", path: "/api/v1/organisations/" + ngo, as: "ngo/administrator", body: `{"short_name":"S"}`}, status: 412, code: "precondition"},
		{name: "stale If-Match", call: call{method: "PATCH", path: "/api/v1/organisations/" + ngo, as: "ngo/administrator", body: `{"short_name":"S"}`, header: map[string]string{"If-Match": `"v9"`}}, status: 412, code: "precondition"},
		{name: "NGO admin cannot change own org's type", call: call{method: "PATCH", path: "/api/v1/organisations/" + ngo, as: "ngo/administrator", body: `{"type":"ministry"}`, header: map[string]string{"If-Match": `"v1"`}}, status: 403, code: "forbidden"},
		{name: "read-only token cannot write", call: call{method: "PATCH", path: "/api/v1/organisations/" + ngo, as: "ngo/case_worker", body: `{"short_name":"S"}`, header: map[string]string{"If-Match": `"v1"`}}, status: 403},
		{name: "bad limit", call: call{method: "GET", path: "/api/v1/users?limit=0", as: "ngo/administrator"}, status: 400, field: "limit"},
		{name: "bad cursor", call: call{method: "GET", path: "/api/v1/users?cursor=zz", as: "ngo/administrator"}, status: 400, field: "cursor"},
		{name: "user: every problem at once", call: call{method: "POST", path: "/api/v1/users", as: "ngo/administrator", body: `{"email":"nope","name":"","roles":["king"],"password":"long enough password"}`}, status: 400, field: "roles[0]"},
		{name: "Bangla problem", call: call{method: "GET", path: "/api/v1/users?limit=0", as: "ngo/administrator", header: map[string]string{"Accept-Language": "bn"}}, status: 400, contains: "সীমা"},
		{name: "countries by Bangla name", call: call{method: "GET", path: "/api/v1/reference/countries?q=" + "%E0%A6%B8%E0%A7%8C%E0%A6%A6%E0%A6%BF", as: "ngo/case_worker"}, status: 200, contains: `"alpha2":"SA"`},
		{name: "districts of Sylhet", call: call{method: "GET", path: "/api/v1/reference/admin-areas?parent=BD60&level=district", as: "ngo/case_worker"}, status: 200, contains: "Habiganj"},
		{name: "area path", call: call{method: "GET", path: "/api/v1/reference/admin-areas/BD302602", as: "ngo/case_worker"}, status: 200, contains: `"code":"BD30"`},
		{name: "unknown area", call: call{method: "GET", path: "/api/v1/reference/admin-areas/BD999999", as: "ngo/case_worker"}, status: 404},
		{name: "bad level", call: call{method: "GET", path: "/api/v1/reference/admin-areas?level=village", as: "ngo/case_worker"}, status: 400, field: "level"},
		{name: "ISCO search", call: call{method: "GET", path: "/api/v1/reference/occupations?q=7112", as: "ngo/case_worker"}, status: 200, contains: "Bricklayers"},
		{name: "case worker cannot read audit", call: call{method: "GET", path: "/api/v1/audit/events", as: "ngo/case_worker"}, status: 403},
		{name: "auditor verifies", call: call{method: "POST", path: "/api/v1/audit/verify", as: "ngo/auditor"}, status: 200, contains: `"problems":[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.do(tt.call)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", a.status, tt.status, a.body)
			}
			if tt.status >= 400 {
				if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q", ct)
				}
				p := a.json(t)
				if tt.code != "" && p["code"] != tt.code {
					t.Errorf("code %v, want %s", p["code"], tt.code)
				}
				if tt.field != "" && !strings.Contains(string(a.body), `"field":"`+tt.field+`"`) {
					t.Errorf("problem does not name field %s: %s", tt.field, a.body)
				}
			}
			if tt.contains != "" && !strings.Contains(string(a.body), tt.contains) {
				t.Errorf("answer lacks %q: %s", tt.contains, a.body)
			}
		})
	}
}

func TestNothingPartialWritten(t *testing.T) {
	e := newEnv(t)
	before := e.do(call{method: "GET", path: "/api/v1/organisations?limit=500", as: "operator/administrator"}).body
	for _, body := range []string{
		`{"name":"Half Valid","type":"ngo","country":"BD","areas":["BD3026","nope"]}`,
		`{"name":"Half Valid","type":"ngo","country":"BD","extra":1}`,
	} {
		if a := e.do(call{method: "POST", path: "/api/v1/organisations", as: "operator/administrator", body: body}); a.status != 400 {
			t.Fatalf("status %d", a.status)
		}
	}
	after := e.do(call{method: "GET", path: "/api/v1/organisations?limit=500", as: "operator/administrator"}).body
	if string(before) != string(after) {
		t.Error("a rejected request changed the organisations")
	}
}

func TestETagFlow(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/organisations/" + e.w.NGO.ID
	got := e.do(call{method: "GET", path: path, as: "ngo/administrator"})
	etag := got.header.Get("ETag")
	if etag != `"v1"` {
		t.Fatalf("ETag %q", etag)
	}
	upd := e.do(call{method: "PATCH", path: path, as: "ngo/administrator", body: `{"short_name":"Shapla"}`, header: map[string]string{"If-Match": etag}})
	if upd.status != 200 || upd.header.Get("ETag") != `"v2"` {
		t.Fatalf("update: %d %s %s", upd.status, upd.header.Get("ETag"), upd.body)
	}
	// The same If-Match again is now stale and changes nothing.
	stale := e.do(call{method: "PATCH", path: path, as: "ngo/administrator", body: `{"short_name":"Other"}`, header: map[string]string{"If-Match": etag}})
	if stale.status != 412 {
		t.Fatalf("stale: %d", stale.status)
	}
	now := e.do(call{method: "GET", path: path, as: "ngo/administrator"}).json(t)
	if now["short_name"] != "Shapla" || now["version"].(float64) != 2 {
		t.Errorf("after stale write: %v", now)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		a := e.do(call{method: "GET", path: "/api/v1/users?limit=2&cursor=" + cursor, as: "ngo/administrator"})
		var p struct {
			Items []homeward.User
			Next  string
		}
		if err := json.Unmarshal(a.body, &p); err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Items {
			if seen[u.ID] {
				t.Fatalf("user %s on two pages", u.ID)
			}
			seen[u.ID] = true
		}
		pages++
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if len(seen) != len(homeward.Roles) || pages != 3 {
		t.Errorf("%d users in %d pages, want %d in 3", len(seen), pages, len(homeward.Roles))
	}
}

func TestCookieWritesNeedCSRF(t *testing.T) {
	e := newEnv(t)
	u := e.w.Users["ngo"][homeward.RoleAdministrator]
	token, s, err := e.w.DB.Login(context.Background(), u.Email, homewardtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	cookie := httpx.SessionCookie + "=" + token
	path := "/api/v1/organisations/" + e.w.NGO.ID
	a := e.do(call{method: "PATCH", path: path, body: `{"short_name":"X"}`, header: map[string]string{"Cookie": cookie, "If-Match": `"v1"`}})
	if a.status != 403 {
		t.Fatalf("cookie write without CSRF token: %d", a.status)
	}
	a = e.do(call{method: "PATCH", path: path, body: `{"short_name":"X"}`, header: map[string]string{"Cookie": cookie, "If-Match": `"v1"`, "X-CSRF-Token": s.CSRFToken}})
	if a.status != 200 {
		t.Fatalf("cookie write with CSRF token: %d %s", a.status, a.body)
	}
}

func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	me := e.w.Users["ngo"][homeward.RoleSupervisor].ID
	a := e.do(call{method: "POST", path: "/api/v1/users/" + me + "/tokens", as: "ngo/supervisor", body: `{"name":"sync","scopes":["read"]}`})
	if a.status != 201 {
		t.Fatalf("create token: %d %s", a.status, a.body)
	}
	tok := a.json(t)
	secret, id := tok["secret"].(string), tok["id"].(string)
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, _ := http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("new token refused: %d", res.StatusCode)
	}
	list := e.do(call{method: "GET", path: "/api/v1/users/" + me + "/tokens", as: "ngo/supervisor"})
	if strings.Contains(string(list.body), secret) {
		t.Error("token list reveals the secret")
	}
	if d := e.do(call{method: "DELETE", path: "/api/v1/tokens/" + id, as: "ngo/supervisor"}); d.status != 204 {
		t.Fatalf("revoke: %d", d.status)
	}
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("revoked token: %d", res.StatusCode)
	}
}

func TestOpenAPIInStepWithRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	b, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var documented, registered []string
	for p, ops := range doc.Paths {
		for m := range ops {
			if m == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	for _, r := range api.New(api.Services{}).Routes() {
		registered = append(registered, r.Method+" "+r.Path)
	}
	sort.Strings(documented)
	sort.Strings(registered)
	if strings.Join(documented, "\n") != strings.Join(registered, "\n") {
		t.Errorf("OpenAPI and routes differ.\ndocumented:\n%s\n\nregistered:\n%s", strings.Join(documented, "\n"), strings.Join(registered, "\n"))
	}
}

// scrape reads the metrics, served apart from the application.
func (e *env) scrape() answer {
	e.t.Helper()
	res, err := http.Get(e.metrics.URL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

func TestProbesAndMetrics(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if a := e.do(call{method: "GET", path: p}); a.status != 200 || strings.TrimSpace(string(a.body)) != `{"status":"ok"}` {
			t.Errorf("%s: %d %s (readiness names nothing but ok)", p, a.status, a.body)
		}
	}
	e.do(call{method: "GET", path: "/api/v1/me", as: "ngo/case_worker"})
	if a := e.do(call{method: "GET", path: "/metrics"}); a.status != 404 || strings.Contains(string(a.body), "homeward_") {
		t.Errorf("metrics on the application's address: %d", a.status)
	}
	m := e.scrape()
	if !strings.Contains(string(m.body), `homeward_http_requests_total{method="GET",route="GET /api/v1/me",status="200"}`) {
		t.Errorf("metrics lack the request counter by route:\n%.2000s", m.body)
	}
	// The duplicate scan reports its progress.
	for _, name := range []string{"homeward_dedupe_scans_running 0", "homeward_dedupe_scan_people_total 0", "homeward_dedupe_pairs_raised_total", "homeward_dedupe_last_scan_seconds", "homeward_dedupe_index_people", "homeward_dedupe_index_bytes", "homeward_dedupe_memory_budget_bytes"} {
		if !strings.Contains(string(m.body), name) {
			t.Errorf("metrics lack %s", name)
		}
	}
	if e.w.DB.Dialect() == "sqlite" {
		// The writer's group commits are counted.
		if r := e.do(call{method: "POST", path: "/api/v1/registrations", as: "ngo/case_worker", body: dupRegistration("Rina", "1990", "01712-345670", "1987654321", "M-1")}); r.status != 201 {
			t.Fatalf("registration: %d %s", r.status, r.body)
		}
		m = e.scrape()
		var n float64
		for _, line := range strings.Split(string(m.body), "\n") {
			if v, ok := strings.CutPrefix(line, "homeward_sqlite_grouped_transactions_total "); ok {
				n, _ = strconv.ParseFloat(v, 64)
			}
		}
		if n < 1 {
			t.Errorf("metrics lack the writer's grouped transactions:\n%.3000s", m.body)
		}
	}
	a := e.do(call{method: "GET", path: "/api/v1/me", header: map[string]string{"X-Request-ID": "abc-123"}})
	if a.header.Get("X-Request-ID") != "abc-123" || a.json(t)["instance"] != "abc-123" {
		t.Errorf("request id not echoed: %v %s", a.header, a.body)
	}
}
