// Package suggest ranks the services for the person of a plan: only those
// a provider near them offers with places and whose eligibility they
// meet, by the organisation's active model, or by the needs-based rules
// when none is active. The plan page and the API show the same ranking.
package suggest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/recommend"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Ranking is the suggestions for one plan.
type Ranking struct {
	// Consent is false when the returnee has not agreed to automated
	// suggestions or withdrew the agreement (their opt-out): nothing is
	// ranked then.
	Consent bool `json:"consent"`
	// Model is the active model's version and id; empty when the rules rank.
	Model   string `json:"model_version,omitempty"`
	ModelID string `json:"model_id,omitempty"`
	// Suggested is the ranking, best first.
	Suggested []recommend.Suggestion `json:"suggested"`
	// Offers holds, for each ranked service, the offer it would be
	// delivered through.
	Offers map[string]referral.Offer `json:"-"`
	// Rules are the services whose offer is for some sexes only (a
	// programme rule, shown as such: the model never reads sex).
	Rules map[string][]registry.Sex `json:"-"`
	// Missing lists the features the record lacks (the estimate rests on
	// less); Unavailable the services no provider near the person offers
	// with places, or whose eligibility the person does not meet.
	Missing     []string `json:"missing"`
	Unavailable []string `json:"unavailable"`
}

// Models parses stored model versions once per version.
type Models struct{ cache sync.Map }

// Load returns the parsed model of a stored version.
func (c *Models) Load(s *recommend.Stored) (*recommend.Model, error) {
	if m, ok := c.cache.Load(s.ID); ok {
		return m.(*recommend.Model), nil
	}
	m, err := recommend.LoadModel(bytes.NewReader(s.Raw))
	if err != nil {
		return nil, err
	}
	c.cache.Store(s.ID, m)
	return m, nil
}

// Rank ranks the services for the plan's person as the actor in ctx may
// see them; nil when the actor may not see suggestions.
func Rank(ctx context.Context, svc httpx.Services, models *Models, pl *referral.Plan, now time.Time) (*Ranking, error) {
	a := homeward.ActorFromContext(ctx)
	if svc.Recommend == nil || !homeward.Can(a, homeward.ActRecommendRead, homeward.Resource{OrgID: pl.OrgID}) {
		return nil, nil
	}
	rec, err := svc.Registry.FindRecord(ctx, pl.PersonID)
	if err != nil {
		return nil, err
	}
	v := &Ranking{Offers: map[string]referral.Offer{}, Rules: map[string][]registry.Sex{}, Suggested: []recommend.Suggestion{}, Missing: []string{}, Unavailable: []string{}}
	if _, ok := registry.ConsentValid(rec.Consents, registry.PurposeSuggestions, registry.Recipient{}, now); !ok {
		return v, nil
	}
	v.Consent = true
	ov, err := svc.Assessment.PersonOverview(ctx, pl.PersonID)
	if err != nil {
		return nil, err
	}
	profile, missing := recommend.ProfileOf(recommend.Facts{Record: rec, Submissions: ov.Submissions}, now)
	v.Missing = append(v.Missing, missing...)
	facts := referral.FactsOf(rec, now)
	var eligible []string
	for _, s := range recommend.Services {
		o, ok := bestOffer(ctx, svc, s, facts)
		if !ok {
			v.Unavailable = append(v.Unavailable, s)
			continue
		}
		eligible = append(eligible, s)
		v.Offers[s] = o
		if len(o.Eligibility.Sexes) > 0 {
			v.Rules[s] = o.Eligibility.Sexes
		}
	}
	active, err := svc.Recommend.ActiveModel(ctx)
	if err != nil {
		return nil, err
	}
	var ranked []recommend.Suggestion
	if active != nil {
		m, err := models.Load(active)
		if err != nil {
			return nil, err
		}
		v.Model, v.ModelID = active.Version, active.ID
		m.Impute(&profile, missing)
		ranked = m.Rank(profile, eligible)
	} else {
		recommend.ImputeTypical(&profile, missing)
		ranked = recommend.Rules(profile, eligible)
	}
	for i := range ranked {
		ranked[i].Reasons = recommend.WithoutMissing(ranked[i].Reasons, missing)
	}
	if ranked != nil {
		v.Suggested = ranked
	}
	return v, nil
}

// bestOffer returns the offer of a ranked service that serves the
// person's district, whose eligibility they meet and that has places (the
// most places left first); false when there is none.
func bestOffer(ctx context.Context, svc httpx.Services, service string, facts referral.Facts) (referral.Offer, bool) {
	var best referral.Offer
	found := false
	for _, t := range recommend.CatalogueTypes[service] {
		offers, err := svc.Referral.FindOffers(ctx, referral.OfferFilter{ServiceType: t, Area: facts.District})
		if err != nil {
			continue
		}
		for _, o := range offers {
			if !o.Active || len(o.Eligibility.Ineligible(facts)) > 0 || (o.PlacesLeft != nil && *o.PlacesLeft <= 0) {
				continue
			}
			if !found || more(o.PlacesLeft, best.PlacesLeft) {
				best, found = o, true
			}
		}
	}
	return best, found
}

// more reports whether places a beat places b (nil is unlimited).
func more(a, b *int) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	}
	return *a > *b
}

// Choose records the case worker's choice beside the suggestions the plan
// has now: service is a ranked service, added to the plan (with the
// offer's provider) at version unless a service of its kind is there
// already, or "none" when they chose otherwise; reason is optional. The
// ranking, whether the choice followed it and the reason are kept. It is
// refused without the returnee's agreement to suggestions, for a service
// that is not among them, and for a reason over recommend.MaxReason
// characters; nil, nil when the actor may not see suggestions.
func Choose(ctx context.Context, svc httpx.Services, models *Models, pl *referral.Plan, version int, service, reason string, now time.Time) (*recommend.Choice, error) {
	rk, err := Rank(ctx, svc, models, pl, now)
	if err != nil || rk == nil {
		return nil, err
	}
	if !rk.Consent {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "recommend.no_consent", "The returnee has not agreed to automated suggestions.")
	}
	if service == "" {
		return nil, homeward.FieldErrorf("service", "recommend.choice.service", "Choose a suggested service, or none of them.")
	}
	if err := recommend.CheckReason(reason); err != nil {
		return nil, err
	}
	c := &recommend.Choice{ModelVersion: rk.Model, Suggested: rk.Suggested, Reason: reason}
	if service != "none" {
		o, ok := rk.Offers[service]
		if !ok {
			return nil, homeward.FieldErrorf("service", "recommend.choice.service", "Choose a suggested service, or none of them.")
		}
		c.Chosen = service
		if !slices.ContainsFunc(pl.Services, func(s referral.PlannedService) bool { return recommend.ServiceOf(s.ServiceType) == service }) {
			in := referral.PlanInput{Goals: pl.Goals, Services: append(slices.Clone(pl.Services), referral.PlannedService{ServiceType: o.ServiceType, ProviderOrgID: o.OrgID})}
			if _, err := svc.Referral.UpdatePlan(ctx, pl.ID, version, in); err != nil {
				return nil, err
			}
		}
	}
	if err := svc.Recommend.RecordChoice(ctx, pl.ID, c); err != nil {
		return nil, err
	}
	return c, nil
}
