package inbox_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/handoff"
)

// BenchmarkInbox measures the inbox over HTTP on the suite's database:
// "accepted" is a signed announcement verified, checked, stored as an
// expected arrival with its audit event and queued feedback; "refused"
// is a message signed with an unknown key, refused and tallied (the
// audit chain gets one event a minute for it). Each iteration signs a
// fresh message; the signing is inside the timing. Rate limiting is
// lifted (one address sends everything).
func BenchmarkInbox(b *testing.B) {
	db := homewardtest.Open(b)
	bd := start(b, db)
	pub, key, _ := ed25519.GenerateKey(nil)
	partner := &handoff.Partner{Name: "Bench partner", Country: "TR", BaseURL: "https://bench.example", Fields: []string{"name", "passport"}, SendOrgs: []string{bd.w.NGO.ID}, ReceiveOrg: bd.w.NGO.ID}
	if err := db.RegisterPartner(bd.w.Ctx("operator", homeward.RoleAdministrator), partner, handoff.EncodePublicKey(pub), handoff.Fingerprint(pub)); err != nil {
		b.Fatal(err)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	inboxURL := bd.srv.URL + handoff.InboxPath
	post := func(b *testing.B, k ed25519.PrivateKey, want int) {
		env := handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: db.Now(), Announcement: &handoff.Announcement{
			SenderOrg: "Bench", TravelDate: homewardtest.Today(db, 2), PortOfEntry: "BD-DAC", Fields: []string{"name", "passport"},
			Person: handoff.Person{GivenName: "Rahim", FamilyName: "Uddin", Passport: "EB0123456"}}}
		body, _ := json.Marshal(env)
		req, err := handoff.SignedRequest(context.Background(), &handoff.Outbound{ID: env.ID, URL: inboxURL, Body: body, Key: k, KeyID: handoff.KeyID(k.Public().(ed25519.PublicKey))}, db.Now())
		if err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("answer %d, want %d", resp.StatusCode, want)
		}
	}
	// Each sub-benchmark starts a minute later on the inbox's clock, so
	// that the rate limit's buckets are full again.
	base := db.Now
	shift := time.Duration(0)
	db.Now = func() time.Time { return base().Add(shift) }
	for _, c := range []struct {
		name string
		key  ed25519.PrivateKey
		want int
	}{{"accepted", key, 200}, {"refused", stranger, 401}} {
		b.Run(c.name, func(b *testing.B) {
			before := auditCount(b, bd)
			n := 0
			for i := 0; b.Loop(); i++ {
				if i%50 == 0 {
					shift += time.Minute
				}
				post(b, c.key, c.want)
				n++
			}
			b.ReportMetric(float64(auditCount(b, bd)-before)/float64(n), "refusals-audited/op")
		})
	}
}

// auditCount is how many refusals the operator's audit chain holds.
func auditCount(b *testing.B, in *instance) int {
	b.Helper()
	refused := "handoff.refused"
	evs, _, err := in.db.FindAuditEvents(in.w.Ctx("operator", homeward.RoleAuditor), homeward.AuditFilter{Action: &refused, Limit: 500})
	if err != nil {
		b.Fatal(err)
	}
	return len(evs)
}
