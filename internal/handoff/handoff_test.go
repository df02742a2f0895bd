package handoff_test

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/registry"
)

func TestFingerprintAndKeyID(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	id, fp := handoff.KeyID(pub), handoff.Fingerprint(pub)
	if len(id) != 32 || strings.ToLower(strings.ReplaceAll(fp, " ", "")) != id || strings.Count(fp, " ") != 7 {
		t.Errorf("key id %q, fingerprint %q", id, fp)
	}
	for _, enc := range []string{handoff.EncodePublicKey(pub), strings.TrimRight(handoff.EncodePublicKey(pub), "=")} {
		if got, err := handoff.ParsePublicKey(" " + enc + "\n"); err != nil || !got.Equal(pub) {
			t.Errorf("ParsePublicKey(%q) = %v, %v", enc, got, err)
		}
	}
	if _, err := handoff.ParsePublicKey("AAAA"); homeward.ErrorCode(err) != homeward.EINVALID {
		t.Errorf("a short key: %v", err)
	}
}

func TestAllowedIsConsentAndAgreement(t *testing.T) {
	c := registry.Consent{Fields: []string{"passport", "name", "phone"}}
	if got := strings.Join(handoff.Allowed(c, []string{"name", "sex", "passport"}), ","); got != "name,passport" {
		t.Errorf("Allowed = %s", got)
	}
	if got := handoff.Allowed(c, []string{"sex"}); len(got) != 0 {
		t.Errorf("nothing in common, yet %v", got)
	}
}

func TestCheckEnvelope(t *testing.T) {
	agreement := []string{"name", "passport"}
	good := func() *handoff.Envelope {
		return &handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), Announcement: &handoff.Announcement{TravelDate: "2026-12-01", PortOfEntry: "BD-DAC",
			Fields: []string{"name", "passport"}, Person: handoff.Person{GivenName: "Rahim", Passport: "EB1"}}}
	}
	if err := handoff.CheckEnvelope(good(), agreement); err != nil {
		t.Fatalf("a good announcement: %v", err)
	}
	withAssessment := good()
	withAssessment.Announcement.Fields = append(withAssessment.Announcement.Fields, "assessments")
	withAssessment.Announcement.Assessments = []handoff.Assessment{{FormID: "rss", FormVersion: "1", AnsweredOn: "2026-01-01", Answers: map[string]any{"food_security": "never"}}}
	if err := handoff.CheckEnvelope(withAssessment, append(agreement, "assessments")); err != nil {
		t.Fatalf("an announcement with an agreed assessment: %v", err)
	}
	band := &handoff.Envelope{Type: handoff.TypeFeedback, ID: homeward.NewID(), Feedback: &handoff.Feedback{AnnouncementID: homeward.NewID(), Status: handoff.StatusSustainability, Milestone: 12, Band: handoff.BandHigh}}
	if err := handoff.CheckEnvelope(band, agreement); err != nil {
		t.Fatalf("a good band feedback: %v", err)
	}
	age := 30
	for _, c := range []struct {
		name string
		edit func(e *handoff.Envelope)
		code string
		key  string
	}{
		{"a field present but not listed nor agreed", func(e *handoff.Envelope) { e.Announcement.Person.Age = &age }, homeward.EFORBIDDEN, "handoff.refused.field"},
		{"a field listed outside the agreement", func(e *handoff.Envelope) { e.Announcement.Fields = append(e.Announcement.Fields, "phone") }, homeward.EFORBIDDEN, "handoff.refused.field"},
		{"a present field not listed", func(e *handoff.Envelope) { e.Announcement.Fields = []string{"name"} }, homeward.EINVALID, "handoff.message.fields_unlisted"},
		{"no id", func(e *handoff.Envelope) { e.ID = "" }, homeward.EINVALID, "handoff.message.id_invalid"},
		{"no travel date", func(e *handoff.Envelope) { e.Announcement.TravelDate = "soon" }, homeward.EINVALID, ""},
		{"no port", func(e *handoff.Envelope) { e.Announcement.PortOfEntry = " " }, homeward.EINVALID, ""},
		{"a message too long", func(e *handoff.Envelope) { e.Announcement.Message = strings.Repeat("ক", 4001) }, homeward.EINVALID, ""},
		{"both bodies", func(e *handoff.Envelope) { e.Feedback = &handoff.Feedback{} }, homeward.EINVALID, "handoff.message.body_mismatch"},
		{"unknown type", func(e *handoff.Envelope) { e.Type = "gossip" }, homeward.EINVALID, "error.field.invalid_choice"},
		{"feedback with an unknown status", func(e *handoff.Envelope) {
			e.Type, e.Announcement, e.Feedback = handoff.TypeFeedback, nil, &handoff.Feedback{AnnouncementID: homeward.NewID(), Status: "vanished"}
		}, homeward.EINVALID, "error.field.invalid_choice"},
		{"assessments outside the agreement", func(e *handoff.Envelope) {
			e.Announcement.Assessments = []handoff.Assessment{{FormID: "rss", AnsweredOn: "2026-01-01", Answers: map[string]any{}}}
			e.Announcement.Fields = append(e.Announcement.Fields, "assessments")
		}, homeward.EFORBIDDEN, "handoff.refused.field"},
		{"an assessment without its day", func(e *handoff.Envelope) {
			e.Announcement.Assessments = []handoff.Assessment{{FormID: "rss", Answers: map[string]any{}}}
		}, homeward.EINVALID, ""},
		{"too many assessments", func(e *handoff.Envelope) {
			e.Announcement.Assessments = make([]handoff.Assessment, handoff.MaxAssessments+1)
		}, homeward.EINVALID, ""},
		{"a band without a milestone", func(e *handoff.Envelope) {
			e.Type, e.Announcement, e.Feedback = handoff.TypeFeedback, nil, &handoff.Feedback{AnnouncementID: homeward.NewID(), Status: handoff.StatusSustainability, Band: handoff.BandLow}
		}, homeward.EINVALID, "handoff.message.band_invalid"},
		{"a band at 3 months", func(e *handoff.Envelope) {
			e.Type, e.Announcement, e.Feedback = handoff.TypeFeedback, nil, &handoff.Feedback{AnnouncementID: homeward.NewID(), Status: handoff.StatusSustainability, Milestone: 3, Band: handoff.BandLow}
		}, homeward.EINVALID, "handoff.message.band_invalid"},
		{"an unknown band", func(e *handoff.Envelope) {
			e.Type, e.Announcement, e.Feedback = handoff.TypeFeedback, nil, &handoff.Feedback{AnnouncementID: homeward.NewID(), Status: handoff.StatusSustainability, Milestone: 6, Band: "0.72"}
		}, homeward.EINVALID, "handoff.message.band_invalid"},
		{"a band on other feedback", func(e *handoff.Envelope) {
			e.Type, e.Announcement, e.Feedback = handoff.TypeFeedback, nil, &handoff.Feedback{AnnouncementID: homeward.NewID(), Status: handoff.StatusArrived, Milestone: 6, Band: handoff.BandLow}
		}, homeward.EINVALID, "handoff.message.band_invalid"},
	} {
		e := good()
		c.edit(e)
		err := handoff.CheckEnvelope(e, agreement)
		var he *homeward.Error
		if homeward.ErrorCode(err) != c.code || c.key != "" && (!asErr(err, &he) || he.Key != c.key) {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.code, c.key)
		}
	}
}

func asErr(err error, out **homeward.Error) bool {
	e, ok := err.(*homeward.Error)
	*out = e
	return ok
}

func TestScoreBand(t *testing.T) {
	for _, c := range []struct {
		score float64
		want  string
	}{{0, "low"}, {0.3299, "low"}, {0.33, "medium"}, {0.6599, "medium"}, {0.66, "high"}, {1, "high"}} {
		if got := handoff.ScoreBand(c.score); got != c.want {
			t.Errorf("ScoreBand(%v) = %s, want %s", c.score, got, c.want)
		}
	}
}
