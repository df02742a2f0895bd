package api

import (
	"net/http"
	"strings"

	"homeward"

	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/registry"
	"homeward/internal/suggest"
)

// suggestionOut is one ranked service, with its reasons in words.
type suggestionOut struct {
	Service       string          `json:"service"`
	Name          string          `json:"name"`
	Rank          int             `json:"rank"`
	ExpectedGain  float64         `json:"expected_gain"`
	Low           float64         `json:"low"`
	High          float64         `json:"high"`
	ByRule        bool            `json:"by_rule"`
	ProgrammeRule []registry.Sex  `json:"programme_rule_sexes,omitempty"`
	ProviderOrgID string          `json:"provider_org_id"`
	Provider      string          `json:"provider"`
	ServiceType   string          `json:"service_type"`
	PlacesLeft    *int            `json:"places_left,omitempty"`
	Reasons       []suggestReason `json:"reasons"`
}

type suggestReason struct {
	Feature string  `json:"feature"`
	Effect  float64 `json:"effect"`
	Text    string  `json:"text"`
}

type featureOut struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// planSuggestions returns the services suggested for the plan's person,
// as the plan page shows them (?lang= words the reasons; default English):
// only services a provider near them offers with places and whose
// eligibility they meet, by the active model or the needs-based rules.
// Without the returnee's agreement to automated suggestions nothing is
// ranked ("consent": false).
func (a *API) planSuggestions(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	lng := r.URL.Query().Get("lang")
	if !i18n.Supported(lng) {
		lng = "en"
	}
	pl, err := a.svc.Referral.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	rk, err := suggest.Rank(r.Context(), a.svc, &a.models, pl, a.clock(r).Time())
	if err != nil {
		return err
	}
	if rk == nil {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	out := struct {
		Consent      bool            `json:"consent"`
		ModelVersion string          `json:"model_version,omitempty"`
		ModelID      string          `json:"model_id,omitempty"`
		ByRules      bool            `json:"ranked_by_rules"`
		Suggestions  []suggestionOut `json:"suggestions"`
		Missing      []featureOut    `json:"missing"`
		Unavailable  []featureOut    `json:"unavailable"`
	}{Consent: rk.Consent, ModelVersion: rk.Model, ModelID: rk.ModelID, ByRules: rk.Model == "", Suggestions: []suggestionOut{}, Missing: []featureOut{}, Unavailable: []featureOut{}}
	for _, s := range rk.Suggested {
		o := rk.Offers[s.Service]
		x := suggestionOut{Service: s.Service, Name: i18n.T(lng, "recommend.service."+s.Service, nil), Rank: s.Rank, ExpectedGain: s.Gain, Low: s.Low, High: s.High,
			ByRule: s.Rule, ProgrammeRule: rk.Rules[s.Service], ProviderOrgID: o.OrgID, Provider: o.OrgName, ServiceType: o.ServiceType, PlacesLeft: o.PlacesLeft,
			Reasons: []suggestReason{}}
		for _, re := range s.Reasons {
			x.Reasons = append(x.Reasons, suggestReason{Feature: re.Feature, Effect: re.Effect, Text: i18n.T(lng, re.Key, nil)})
		}
		out.Suggestions = append(out.Suggestions, x)
	}
	for _, f := range rk.Missing {
		out.Missing = append(out.Missing, featureOut{f, i18n.T(lng, "recommend.feature."+f, nil)})
	}
	for _, s := range rk.Unavailable {
		out.Unavailable = append(out.Unavailable, featureOut{s, i18n.T(lng, "recommend.service."+s, nil)})
	}
	httpx.JSON(w, http.StatusOK, out)
	return nil
}

// planChoice records the case worker's choice beside the suggestions the
// plan has now, as the plan page's suggestions panel does: "service" is a
// suggested service (added to the plan at the If-Match version unless a
// service of its kind is there already) or "none"; "reason" is optional.
// The answer is the choice kept, with the ranking it was made against and
// whether it followed the first suggestion.
func (a *API) planChoice(w http.ResponseWriter, r *http.Request) error {
	id, version, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Service string `json:"service"`
		Reason  string `json:"reason"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	pl, err := a.svc.Referral.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := suggest.Choose(r.Context(), a.svc, &a.models, pl, version, strings.TrimSpace(in.Service), strings.TrimSpace(in.Reason), a.clock(r).Time())
	if err != nil {
		return err
	}
	if c == nil {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	httpx.JSON(w, http.StatusCreated, c)
	return nil
}
