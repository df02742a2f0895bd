package api_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"homeward/internal/api"
	"homeward/internal/handoff"
)

// The handoff message formats in the OpenAPI document name exactly the
// properties the Go types carry, so that a partner implementing them from
// the document is understood (the inbox refuses unknown fields).
func TestOpenAPIHandoffFormats(t *testing.T) {
	b, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Webhooks   map[string]any `json:"webhooks"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Webhooks["handoffMessage"] == nil {
		t.Error("the handoff message is not documented")
	}
	for schema, v := range map[string]any{"HandoffEnvelope": handoff.Envelope{}, "HandoffAnnouncement": handoff.Announcement{}, "HandoffPerson": handoff.Person{},
		"HandoffFeedback": handoff.Feedback{}, "HandoffAck": handoff.Ack{}, "HandoffFile": handoff.File{}, "HandoffAssessment": handoff.Assessment{}, "HandoffScore": handoff.Score{},
		"Partner": handoff.Partner{}, "PartnerKey": handoff.PartnerKey{}, "Arrival": handoff.Arrival{}} {
		var want []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			want = append(want, name)
		}
		var got []string
		for p := range doc.Components.Schemas[schema].Properties {
			got = append(got, p)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s documents %v, the type has %v", schema, got, want)
		}
	}
}
