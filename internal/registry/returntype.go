package registry

import (
	"slices"
	"sync"

	"homeward"
	"homeward/internal/country"
)

// withPackReturnTypes returns base followed by the return types the
// country packs add.
func withPackReturnTypes(base []ReturnType) []ReturnType {
	for _, p := range country.All() {
		for _, rt := range p.ReturnTypes {
			if !slices.Contains(base, ReturnType(rt.Code)) {
				base = append(base, ReturnType(rt.Code))
			}
		}
	}
	return base
}

// ReturnTypesFor returns the return types in use in country (ISO alpha-2),
// in its pack's order: the ones forms offer and registrations accept.
// Without a pack, or a pack that lists none, every return type is in use.
func ReturnTypesFor(code string) []ReturnType {
	p := country.Lookup(code)
	if p == nil || len(p.ReturnTypes) == 0 {
		return ReturnTypes
	}
	out := make([]ReturnType, len(p.ReturnTypes))
	for i, rt := range p.ReturnTypes {
		out[i] = ReturnType(rt.Code)
	}
	return out
}

// returnTypeInUse reports whether rt may be recorded in home's instance;
// an empty type or country is left to the other checks.
func returnTypeInUse(rt ReturnType, home string) bool {
	return rt == "" || home == "" || slices.Contains(ReturnTypesFor(home), rt)
}

// CheckReturnTypeCountry refuses a return type that is known but not in
// use in the country the registering organisation serves (a camp return
// on a Bangladeshi instance), as CheckAreaCountry does for areas.
func CheckReturnTypeCountry(v *homeward.Validation, field string, rt ReturnType, home string) {
	if returnTypeInUse(rt, home) || !validChoice(rt, ReturnTypes) {
		return
	}
	v.AddArgs(field, "country.return_type.not_in_use", map[string]any{"value": string(rt), "country": home},
		"“%s” is not a return type in use in %s: choose one of the list.", string(rt), home)
}

// ReturnReasons lists the codes of every reason for return the country
// packs name, in the packs' order (made once: the packs are built in).
var ReturnReasons = sync.OnceValue(func() []string {
	var out []string
	for _, p := range country.All() {
		for _, r := range p.ReturnReasons {
			if !slices.Contains(out, r.Code) {
				out = append(out, r.Code)
			}
		}
	}
	return out
})

// ReturnReasonsFor returns the reasons for return in local use in country
// (ISO alpha-2), with their names, in its pack's order; none without a
// pack.
func ReturnReasonsFor(code string) []country.Named {
	if p := country.Lookup(code); p != nil {
		return p.ReturnReasons
	}
	return nil
}

// ReturnReasonName names a reason for return in lang: the name its
// country's pack gives, else any pack's, in lang or in English; the code
// itself when no pack names it.
func ReturnReasonName(home, code, lang string) string {
	packs := country.All()
	if p := country.Lookup(home); p != nil {
		packs = append([]*country.Pack{p}, packs...)
	}
	for _, p := range packs {
		for _, r := range p.ReturnReasons {
			if r.Code == code {
				if n := r.Names[homeward.LangBase(lang)]; n != "" {
					return n
				}
				return r.Names["en"]
			}
		}
	}
	return code
}

// returnReasonInUse reports whether code, a known reason, may be recorded
// in home's instance; an unknown reason or a country without a pack is
// left to the other checks.
func returnReasonInUse(code, home string) bool {
	if home == "" || country.Lookup(home) == nil || !slices.Contains(ReturnReasons(), code) {
		return true
	}
	return slices.ContainsFunc(ReturnReasonsFor(home), func(n country.Named) bool { return n.Code == code })
}

// CheckReturnReasonsCountry refuses a reason for return that is known but
// not in use in the country the registering organisation serves (a camp
// closure on a Pakistani instance).
func CheckReturnReasonsCountry(v *homeward.Validation, field string, reasons []string, home string) {
	for i, code := range reasons {
		if !returnReasonInUse(code, home) {
			v.AddArgs(idx(field, i), "country.return_reason.not_in_use", map[string]any{"value": code, "country": home},
				"“%s” is not a reason for return in use in %s: choose one of the list.", code, home)
		}
	}
}
