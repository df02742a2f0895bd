package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/passkey"
	"homeward/internal/passkey/passkeytest"
)

const passkeyOrigin = passkeytest.Origin

func newPasskeyBrowser(t *testing.T) (*browser, *homewardtest.World) {
	t.Helper()
	return newBrowserWith(t, func(w *homewardtest.World) { w.DB.Passkeys = passkeytest.RelyingParty() })
}

// postJSON posts body as the passkey script does, with the CSRF token in
// its header.
func (b *browser) postJSON(path, csrf string, body []byte) (int, []byte) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func answerJSON(t *testing.T, v map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var passkeyRemoveRe = regexp.MustCompile(`action="/account/passkeys/([A-Za-z0-9_-]+)/remove"`)

func TestPasskeyPages(t *testing.T) {
	b, w := newPasskeyBrowser(t)
	signinClock(t, w)
	usr := w.Users["ngo"][homeward.RoleCaseWorker]
	u := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := u.get("/account")
	if !strings.Contains(page, `id="passkeys"`) || !strings.Contains(page, `<script src="/static/passkey.js" defer></script>`) {
		t.Fatalf("account page offers no passkey:\n%.3000s", page)
	}
	token := csrf(t, page)

	// Registration: the options need the session's CSRF token.
	if status, _ := u.postJSON("/account/passkeys/begin", "", nil); status != 403 {
		t.Errorf("begin without CSRF token: %d", status)
	}
	status, opts := u.postJSON("/account/passkeys/begin", token, nil)
	if status != 200 || !bytes.Contains(opts, []byte(`"userVerification":"required"`)) {
		t.Fatalf("begin: %d %s", status, opts)
	}
	a := passkeytest.New(passkeyOrigin)
	answer, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	if status, out := u.postJSON("/account/passkeys", token, answerJSON(t, map[string]any{"name": "", "answer": json.RawMessage(answer)})); status != 400 || !bytes.Contains(out, []byte(`"error"`)) {
		t.Errorf("no name: %d %s", status, out)
	}
	if status, out := u.postJSON("/account/passkeys", token, answerJSON(t, map[string]any{"name": "office laptop", "answer": json.RawMessage(answer)})); status != 200 || !bytes.Contains(out, []byte(`"next":"/account?ok=account.passkey.added"`)) {
		t.Fatalf("finish: %d %s", status, out)
	}
	if status, _ := u.postJSON("/account/passkeys", token, bytes.Repeat([]byte(" "), passkey.MaxResponse+2048)); status != 413 {
		t.Errorf("huge answer: %d", status)
	}
	_, page = u.get("/account?ok=account.passkey.added")
	if !strings.Contains(page, "<td>office laptop</td>") || !strings.Contains(page, "The passkey was added.") {
		t.Fatalf("account page after registration:\n%.3000s", page)
	}
	id := passkeyRemoveRe.FindStringSubmatch(page)
	// With a passkey alone, the page offers recovery codes, in case it is
	// lost; made, they are shown once.
	if !strings.Contains(page, `id="recovery-passkey-only"`) || !strings.Contains(page, "Unused recovery codes: 0.") {
		t.Errorf("passkey-only account page offers no recovery codes:\n%.3000s", page)
	}
	if status, page := u.post("/account/recovery-codes", url.Values{"csrf_token": {csrf(t, page)}, "codes_password": {homewardtest.Password}}); status != 200 || !strings.Contains(page, `id="recovery-list"`) {
		t.Errorf("recovery codes for a passkey: %d\n%.3000s", status, page)
	}

	// Sign-in: the password, then the passkey; or the passkey alone.
	for _, withPassword := range []bool{true, false} {
		v := b.fresh()
		if withPassword {
			status, page := v.post("/login", url.Values{"email": {usr.Email}, "password": {homewardtest.Password}})
			if status != 200 || !strings.Contains(page, `id="passkey-signin"`) || !strings.Contains(page, `id="code-submit"`) {
				t.Fatalf("code step offers no passkey: %d\n%.2000s", status, page)
			}
		} else if _, page := v.get("/login"); !strings.Contains(page, `id="passkey-signin"`) {
			t.Fatal("sign-in page offers no passkey")
		}
		status, opts := v.postJSON("/login/passkey/begin", "", nil)
		if status != 200 {
			t.Fatalf("sign-in begin: %d %s", status, opts)
		}
		answer, err := a.Get(opts)
		if err != nil {
			t.Fatal(err)
		}
		status, out := v.postJSON("/login/passkey/finish", "", answerJSON(t, map[string]any{"next": "https://evil.example/", "answer": json.RawMessage(answer)}))
		if status != 200 || !bytes.Contains(out, []byte(`"next":"/home"`)) {
			t.Fatalf("sign-in finish (password %v): %d %s", withPassword, status, out)
		}
		if _, page := v.get("/home"); !strings.Contains(page, `id="home-title"`) {
			t.Fatalf("no session after the passkey (password %v)", withPassword)
		}
		// The same answer again is refused, in the reader's language.
		status, out = b.fresh().postJSON("/login/passkey/finish", "", answerJSON(t, map[string]any{"answer": json.RawMessage(answer)}))
		if status != 401 || !bytes.Contains(out, []byte("The passkey was not accepted.")) {
			t.Errorf("replayed answer: %d %s", status, out)
		}
	}

	// Removal asks for the password.
	if id == nil {
		t.Fatal("no removal form")
	}
	_, page = u.get("/account")
	if status, page := u.post("/account/passkeys/"+id[1]+"/remove", url.Values{"csrf_token": {csrf(t, page)}, "passkey_password": {"wrong"}}); status != 400 || !strings.Contains(page, "<td>office laptop</td>") {
		t.Errorf("wrong password: %d", status)
	}
	if status, page := u.post("/account/passkeys/"+id[1]+"/remove", url.Values{"csrf_token": {token}, "passkey_password": {homewardtest.Password}}); status != 200 || strings.Contains(page, "<td>office laptop</td>") || !strings.Contains(page, "The passkey was removed.") {
		t.Errorf("removal: %d", status)
	}
}

func TestPasskeyPagesInBangla(t *testing.T) {
	b, w := newPasskeyBrowser(t)
	english := englishOf(t, "passkey.json")
	u := b.as(w, "ngo", homeward.RoleCaseWorker)
	u.get("/lang?to=bn")
	_, page := u.get("/account")
	if !strings.Contains(page, "পাসকি যোগ করুন") {
		t.Errorf("account page in Bangla offers no passkey:\n%.2000s", page)
	}
	for _, e := range english {
		if strings.Contains(page, e) {
			t.Errorf("English on the Bangla account page: %q", e)
		}
	}
	v := b.fresh()
	v.get("/lang?to=bn")
	if _, page := v.get("/login"); !strings.Contains(page, "পাসকি দিয়ে সাইন ইন করুন") {
		t.Error("sign-in page in Bangla offers no passkey")
	}
	// Without a relying party, nothing is offered.
	plain, w2 := newBrowser(t)
	if _, page := plain.as(w2, "ngo", homeward.RoleCaseWorker).get("/account"); strings.Contains(page, `id="passkeys"`) {
		t.Error("passkeys offered without a relying party")
	}
}
