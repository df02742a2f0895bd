package registry

import (
	"slices"

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
