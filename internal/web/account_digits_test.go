package web_test

import (
	"encoding/json"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
)

// createdRe finds when the current session began, as the account page
// writes it in the reader's digits.
var createdRe = regexp.MustCompile(`(?s)id="session-current">\s*<td>.*?</td>\s*<td>([^<]+)</td>`)

func sessionCreated(t *testing.T, page string) string {
	t.Helper()
	m := createdRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("account page has no current session row:\n%.2000s", page)
	}
	return m[1]
}

// onlyDigits reports whether every digit of s lies in lo..lo+9 and s has
// at least one.
func onlyDigits(s string, lo rune) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= lo && r <= lo+9:
			n++
		case r >= '0' && r <= '9', r >= '০' && r <= '৯', r >= '٠' && r <= '٩', r >= '۰' && r <= '۹':
			return false
		}
	}
	return n > 0
}

// The same page shows a Bangla user's numbers in Bangla digits, or in
// Latin digits once they choose them; the choice is the user's, kept across
// sign-out, and changes nothing but the digits.
func TestDigitsPreferenceBangla(t *testing.T) {
	b, w := newBrowser(t)
	cw := w.Users["ngo"][homeward.RoleCaseWorker]
	b.get("/lang?to=bn&back=/login")
	b.login(cw.Email)
	_, page := b.get("/account")
	if got := sessionCreated(t, page); !onlyDigits(got, '০') {
		t.Errorf("Bangla, own digits: session created %q, want Bangla digits", got)
	}
	if !strings.Contains(page, `id="digits-native" checked`) || !strings.Contains(page, "ভাষার নিজস্ব অঙ্ক") {
		t.Errorf("the digit choice is missing or not at the language's own:\n%.3000s", page)
	}
	status, page := b.post("/account/digits", url.Values{"csrf_token": {csrf(t, page)}, "digits": {homeward.DigitsLatin}})
	if status != 200 {
		t.Fatalf("save digits: %d", status)
	}
	if got := sessionCreated(t, page); !onlyDigits(got, '0') {
		t.Errorf("Bangla, Latin digits: session created %q, want 0-9", got)
	}
	if !strings.Contains(page, `lang="bn-u-nu-latn"`) || !strings.Contains(page, "আপনার অঙ্কের পছন্দ সংরক্ষণ করা হয়েছে।") || !strings.Contains(page, `id="digits-latn" checked`) {
		t.Errorf("after choosing Latin digits the page is not Bangla with Latin digits:\n%.3000s", page)
	}

	// Signed out and in again, the choice holds.
	if status, _ := b.post("/logout", url.Values{"csrf_token": {csrf(t, page)}}); status != 200 {
		t.Fatalf("logout: %d", status)
	}
	b.login(cw.Email)
	if _, page = b.get("/account"); !onlyDigits(sessionCreated(t, page), '0') {
		t.Errorf("after signing in again: session created %q, want 0-9", sessionCreated(t, page))
	}

	// A value that is not a choice is refused on the page; back to the
	// language's own digits.
	if status, page := b.post("/account/digits", url.Values{"csrf_token": {csrf(t, page)}, "digits": {"arab"}}); status != 400 || !strings.Contains(page, "arab") {
		t.Errorf("unknown digits: %d", status)
	}
	b.post("/account/digits", url.Values{"csrf_token": {csrf(t, page)}, "digits": {""}})
	if _, page = b.get("/account"); !onlyDigits(sessionCreated(t, page), '০') {
		t.Errorf("back to own digits: session created %q", sessionCreated(t, page))
	}
}

// An Arabic reader with Latin digits keeps the Arabic page, right to left,
// with 0-9.
func TestDigitsPreferenceArabicLatin(t *testing.T) {
	b, w := newBrowser(t)
	b.get("/lang?to=ar&back=/login")
	b.login(w.Users["ngo"][homeward.RoleSupervisor].Email)
	_, page := b.get("/account")
	if got := sessionCreated(t, page); !onlyDigits(got, '٠') {
		t.Errorf("Arabic, own digits: session created %q", got)
	}
	_, page = b.post("/account/digits", url.Values{"csrf_token": {csrf(t, page)}, "digits": {homeward.DigitsLatin}})
	if got := sessionCreated(t, page); !onlyDigits(got, '0') {
		t.Errorf("Arabic, Latin digits: session created %q", got)
	}
	if !strings.Contains(page, `lang="ar-u-nu-latn" dir="rtl"`) || !strings.Contains(page, "تم حفظ اختيارك للأرقام.") {
		t.Errorf("not an Arabic right-to-left page:\n%.1500s", page)
	}
	// The language switch still offers every other language, not Arabic.
	if strings.Contains(page, `id="lang-ar"`) || !strings.Contains(page, `id="lang-bn"`) {
		t.Error("the language switch mistakes the tag with digits for another language")
	}
}

// Nobody changes another user's digits: the account form changes only the
// signed-in user's, and the service refuses a colleague's without the
// administrator's right.
func TestDigitsPreferenceOthers(t *testing.T) {
	_, w := newBrowser(t)
	other := w.Users["ngo"][homeward.RoleSupervisor]
	latn := homeward.DigitsLatin
	if _, err := w.DB.UpdateUser(w.Ctx("ngo", homeward.RoleCaseWorker), other.ID, other.Version, homeward.UserUpdate{Digits: &latn}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker sets a supervisor's digits: %v", err)
	}
	if _, err := w.DB.UpdateUser(w.Ctx("operator", homeward.RoleAdministrator), other.ID, other.Version, homeward.UserUpdate{Digits: &latn}); homewardtest.Code(err) != homeward.EFORBIDDEN && homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's administrator sets a user's digits: %v", err)
	}
	if u, _ := w.DB.FindUserByID(homewardtest.SystemCtx(), other.ID); u.Digits != "" {
		t.Errorf("digits changed to %q", u.Digits)
	}
	// A stale version is refused too.
	self := w.Ctx("ngo", homeward.RoleSupervisor)
	if _, err := w.DB.UpdateUser(self, other.ID, other.Version+1, homeward.UserUpdate{Digits: &latn}); homewardtest.Code(err) != homeward.EPRECONDITION && homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("stale version: %v", err)
	}
	if u, err := w.DB.UpdateUser(self, other.ID, other.Version, homeward.UserUpdate{Digits: &latn}); err != nil || u.Digits != latn {
		t.Errorf("own digits: %v", err)
	}
}

// A Latin passport number and case number inside a right-to-left page are
// isolated (bdi / dir="ltr"), so that "P-12 34" is not reordered by the
// Arabic around it; and with Latin digits the page's dates use 0-9 while
// the numbers typed in Latin letters stay as they are.
func TestRTLPersonPageIsolatesLatinNumbers(t *testing.T) {
	b, w := newBrowser(t)
	js := `{"person":{"given_name":"Karwan","family_name":"Jabbar","full_name_native":"كاروان جبار","sex":"male","date_of_birth":"1990",
		"documents":[{"type":"passport","number":"A12345678","issuing_country":"IQ"}],"address":{"admin_area":"BD302602"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-01-10","return_type":"deported"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	for _, lang := range []string{"ar", "ckb", "ur"} {
		b.c.Jar, _ = cookiejar.New(nil)
		b.get("/lang?to=" + lang + "&back=/login")
		b.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
		_, page := b.get("/people/" + rec.Person.ID)
		for _, want := range []string{`dir="rtl"`, `<bdi dir="ltr" class="doc-number">A12345678</bdi>`, `<span dir="ltr" id="case-number">` + rec.Case.Number + `</span>`,
			`<span class="native" lang="ar">كاروان جبار</span>`} { // Arabic letters: tagged Arabic, not Bangla
			if !strings.Contains(page, want) {
				t.Errorf("%s person page lacks %s", lang, want)
			}
		}
	}
}
