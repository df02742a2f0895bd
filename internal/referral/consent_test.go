package referral

import (
	"testing"

	"homeward"
)

func TestCloseForWithdrawnConsent(t *testing.T) {
	for _, from := range States {
		for _, still := range []bool{false, true} {
			r := &Referral{State: from, Note: "private", Shared: Shared{CaseNumber: "BGD-2026-000001", GivenName: "Rahima", Phone: "+8801712345678"}}
			changed := r.CloseForWithdrawnConsent(still, now)
			want := from.Open() && !still
			if changed != want {
				t.Errorf("%s (still consented %v): changed %v, want %v", from, still, changed, want)
				continue
			}
			if !want {
				if r.State != from || r.Shared.GivenName == "" {
					t.Errorf("%s (still consented %v) was touched: %+v", from, still, r)
				}
				continue
			}
			if r.State != StateConsentWithdrawn || r.ClosedAt == nil || r.Note != "" || r.Shared.GivenName != "" || r.Shared.Phone != "" || r.Shared.CaseNumber != "" {
				t.Errorf("%s: after closing %+v", from, r)
			}
			if last := r.History[len(r.History)-1]; last.From != from || last.To != StateConsentWithdrawn || last.By != string(SideSystem) || !last.At.Equal(now) {
				t.Errorf("%s: history %+v", from, last)
			}
			if err := r.CheckRecordable(); homeward.ErrorCode(err) != homeward.ECONFLICT {
				t.Errorf("%s: recordable after closing: %v", from, err)
			}
			for _, to := range States {
				for _, side := range []Side{SideSender, SideReceiver, SideSystem} {
					if err := r.Apply(Transition{To: to}, side, "u", now); err == nil {
						t.Errorf("consent_withdrawn → %s by %s allowed", to, side)
					}
				}
			}
		}
	}
}
