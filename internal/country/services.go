package country

import (
	"fmt"
	"strings"
)

// Service is one type of the country's national service catalogue. A type
// without Names is labelled by the message catalog (the general types
// Homeward ships, "referral.service.<code>"); a national one carries its
// names in the pack's languages, and Provider names the national body that
// provides it. Kind and Shared are the referral package's delivery kind
// and shared fields; they are checked there (referral.CountryServices).
type Service struct {
	Code     string            `json:"code"`
	Parent   string            `json:"parent,omitempty"`
	Kind     string            `json:"kind"`
	Shared   []string          `json:"shared_fields"`
	Names    map[string]string `json:"names,omitempty"`
	Provider map[string]string `json:"provider,omitempty"`
}

// ConsentText returns the pack's default consent text for purpose in
// lang, or "" when the pack has none in that language (the message
// catalog's text applies then).
func (p *Pack) ConsentText(purpose, lang string) string {
	return p.ConsentTexts[purpose][lang]
}

// checkServices checks the catalogue's shape: codes of lower-case letters,
// digits and underscores, each once, parents listed before their children,
// a kind, and an English name beside any other name.
func checkServices(list []Service, bad func(field, format string, args ...any) error) error {
	seen := map[string]bool{}
	for i, s := range list {
		f := fmt.Sprintf("services[%d]", i)
		switch {
		case s.Code == "" || strings.Trim(s.Code, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || seen[s.Code]:
			return bad(f+".code", "%q must be unique, lower case letters, digits and underscores", s.Code)
		case s.Parent != "" && !seen[s.Parent]:
			return bad(f+".parent", "%q is not a service listed before it", s.Parent)
		case s.Kind == "":
			return bad(f+".kind", "the delivery kind is required")
		case len(s.Names) > 0 && s.Names["en"] == "":
			return bad(f+".names.en", "the English name is required beside the others")
		case len(s.Provider) > 0 && s.Provider["en"] == "":
			return bad(f+".provider.en", "the English name is required beside the others")
		}
		seen[s.Code] = true
	}
	return nil
}

// checkConsentTexts checks the default consent texts: by purpose, each
// with an English text and only language codes.
func checkConsentTexts(texts map[string]map[string]string, bad func(field, format string, args ...any) error) error {
	for purpose, byLang := range texts {
		f := "consent_texts." + purpose
		if purpose == "" || strings.Trim(purpose, "abcdefghijklmnopqrstuvwxyz_") != "" {
			return bad(f, "%q is not a consent purpose", purpose)
		}
		if strings.TrimSpace(byLang["en"]) == "" {
			return bad(f+".en", "the English text is required")
		}
		for l, t := range byLang {
			if len(l) < 2 || len(l) > 3 || strings.ToLower(l) != l || strings.TrimSpace(t) == "" {
				return bad(f+"."+l, "%q is not a language code with a text", l)
			}
		}
	}
	return nil
}
