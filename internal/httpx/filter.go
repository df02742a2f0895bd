package httpx

import (
	"net/http"
	"slices"
	"strings"

	"homeward"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// SearchFilterFromQuery reads a registry search from URL parameters,
// checking each value.
func SearchFilterFromQuery(r *http.Request) (registry.SearchFilter, error) {
	q := r.URL.Query()
	f := registry.SearchFilter{Query: q.Get("q"), District: strings.TrimSpace(q.Get("district")), After: q.Get("cursor"),
		Status: registry.CaseStatus(q.Get("status")), Sex: registry.Sex(q.Get("sex")), ReturnType: registry.ReturnType(q.Get("return_type")),
		AssignedTo: q.Get("assigned_to")}
	var v homeward.Validation
	check := func(field, value string, ok bool) {
		if value != "" && !ok {
			v.AddArgs(field, "error.field.invalid_choice", map[string]any{"value": value}, "%q is not one of the allowed values.", value)
		}
	}
	check("status", string(f.Status), slices.Contains(registry.CaseStatuses, f.Status))
	check("sex", string(f.Sex), slices.Contains(registry.Sexes, f.Sex))
	check("return_type", string(f.ReturnType), slices.Contains(registry.ReturnTypes, f.ReturnType))
	if f.AssignedTo != "" && !homeward.ValidID(f.AssignedTo) {
		check("assigned_to", f.AssignedTo, false)
	}
	if f.District != "" && reference.Area(f.District) == nil {
		v.AddArgs("district", "error.field.invalid_pcode", map[string]any{"value": f.District}, "%q is not a known administrative area (p-code).", f.District)
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	limit, err := Limit(r, 500)
	f.Limit = limit
	return f, err
}
