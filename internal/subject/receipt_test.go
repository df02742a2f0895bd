package subject

import (
	"strings"
	"testing"

	"homeward/internal/country"
	"homeward/internal/i18n"
)

// A consent is read from the country pack's text where the pack has one
// for the purpose and language (a Pakistani referral in Urdu or English),
// else from the message catalog (a Bangladeshi referral; a purpose the
// pack leaves to the catalog).
func TestConsentNoticeByCountry(t *testing.T) {
	pk := country.Lookup("PK")
	for _, tc := range []struct{ lang, country, purpose, want string }{
		{"ur", "PK", "referral", pk.ConsentText("referral", "ur")},
		{"en", "PK", "referral", pk.ConsentText("referral", "en")},
		{"bn", "BD", "referral", i18n.T("bn", "consent.receipt.notice.referral", nil)},
		{"ur", "PK", "research", i18n.T("ur", "consent.receipt.notice.research", nil)},
		{"ur", "", "referral", i18n.T("ur", "consent.receipt.notice.referral", nil)},
	} {
		got := ConsentNotice(tc.lang, tc.country, tc.purpose)
		if got == "" || got != tc.want {
			t.Errorf("%s %s %s = %.60q, want %.60q", tc.lang, tc.country, tc.purpose, got, tc.want)
		}
	}
	if ur := ConsentNotice("ur", "PK", "referral"); !strings.Contains(ur, "نیوٹیک") || ur == i18n.T("ur", "consent.receipt.notice.referral", nil) {
		t.Errorf("the Pakistani referral notice does not name the national bodies: %.80q", ur)
	}
}
