package dedupe

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/registry"
)

// Side names one of the two records of a merge.
type Side string

// The sides of a merge.
const (
	SideKept     Side = "kept"
	SideAbsorbed Side = "absorbed"
)

// MergeFields are the single-valued fields of a person that a merge plan
// takes from one side or the other. Lists (phones, documents, aliases,
// languages) are joined; migration episodes of both are kept.
var MergeFields = []string{"given_name", "family_name", "full_name_native", "sex", "date_of_birth", "father_name", "mother_name", "address", "household", "education", "disability"}

// MergePlan says which person survives a merge and, field by field, whose
// value it keeps. Fields left out take the default: the kept person's
// value, or the absorbed person's when the kept one has none (or a less
// precise date of birth in the same year).
type MergePlan struct {
	Keep   string          `json:"keep"`
	Fields map[string]Side `json:"fields,omitempty"`
}

// Validate checks the plan against the pair it is for.
func (mp *MergePlan) Validate(p *Pair) error {
	var v homeward.Validation
	if !p.Has(mp.Keep) {
		v.Add("keep", "dedupe.merge.keep", "Choose which of the two people to keep.")
	}
	for f, s := range mp.Fields {
		if !slices.Contains(MergeFields, f) {
			v.AddArgs("fields."+f, "dedupe.merge.field", map[string]any{"field": f}, "%q cannot be chosen in a merge.", f)
		} else if s != SideKept && s != SideAbsorbed {
			v.AddArgs("fields."+f, "error.field.invalid_choice", map[string]any{"value": string(s)}, "%q is not one of the allowed values.", s)
		}
	}
	return v.Err()
}

// Snapshot is a person exactly as stored at one moment, for undoing.
type Snapshot struct {
	Person   registry.Person             `json:"person"`
	Episodes []registry.MigrationEpisode `json:"episodes"`
	Version  int                         `json:"version"`
}

// Merge is one merge as recorded: who was kept and who absorbed, the plan,
// what came from where, both people as they were before, and the records
// (cases, consents …) that moved, so that Unmerge restores both exactly.
type Merge struct {
	ID         string              `json:"id"`
	OrgID      string              `json:"org_id"`
	PairID     string              `json:"pair_id,omitempty"`
	KeptID     string              `json:"kept_id"`
	AbsorbedID string              `json:"absorbed_id"`
	Plan       MergePlan           `json:"plan"`
	Provenance map[string]Side     `json:"provenance"` // field (or list entry such as "phones[+8801…]") → where it came from
	KeptBefore Snapshot            `json:"kept_before"`
	Absorbed   Snapshot            `json:"absorbed"`
	Moved      map[string][]string `json:"moved"` // table → ids of the absorbed person's rows now under the kept person
	MergedBy   string              `json:"merged_by"`
	MergedAt   time.Time           `json:"merged_at"`
	UndoneBy   string              `json:"undone_by,omitempty"`
	UndoneAt   *time.Time          `json:"undone_at,omitempty"`
}

// Apply joins absorbed into kept by the plan and returns the surviving
// person and episodes with the provenance of every field that did not come
// from the kept person alone.
func (mp *MergePlan) Apply(kept, absorbed Snapshot) (registry.Person, []registry.MigrationEpisode, map[string]Side) {
	k, a := clonePerson(&kept.Person), clonePerson(&absorbed.Person)
	out := k
	prov := map[string]Side{}
	take := func(field string, keptEmpty bool) bool {
		side, chosen := mp.Fields[field]
		if !chosen {
			side = SideKept
			if keptEmpty {
				side = SideAbsorbed
			}
		}
		if side == SideAbsorbed {
			prov[field] = SideAbsorbed
		}
		return side == SideAbsorbed
	}
	if take("given_name", k.GivenName == "" && a.GivenName != "") {
		out.GivenName = a.GivenName
	}
	if take("family_name", k.FamilyName == "" && a.FamilyName != "") {
		out.FamilyName = a.FamilyName
	}
	if take("full_name_native", k.FullNameNative == "" && a.FullNameNative != "") {
		out.FullNameNative = a.FullNameNative
	}
	if take("sex", (k.Sex == "" || k.Sex == registry.SexUnknown) && a.Sex != "" && a.Sex != registry.SexUnknown) {
		out.Sex = a.Sex
	}
	kd, ad := k.DateOfBirth, a.DateOfBirth
	if take("date_of_birth", kd.IsZero() && !ad.IsZero() || !kd.IsZero() && kd.Year == ad.Year && ad.Precision > kd.Precision) {
		out.DateOfBirth = ad
	}
	if take("father_name", k.FatherName == "" && a.FatherName != "") {
		out.FatherName = a.FatherName
	}
	if take("mother_name", k.MotherName == "" && a.MotherName != "") {
		out.MotherName = a.MotherName
	}
	if take("address", k.Address.IsZero() && !a.Address.IsZero()) {
		out.Address = a.Address
	}
	if take("household", len(k.Household) == 0 && len(a.Household) > 0) {
		out.Household = a.Household
	}
	if take("education", k.Education == "" && a.Education != "") {
		out.Education = a.Education
	}
	if take("disability", k.Disability == nil && a.Disability != nil) {
		out.Disability = a.Disability
	}

	// Lists are joined: nothing known about the person is lost.
	for _, ph := range a.Phones {
		if !slices.Contains(out.Phones, ph) && len(out.Phones) < 50 {
			out.Phones = append(out.Phones, ph)
			prov["phones["+ph+"]"] = SideAbsorbed
		}
	}
	for _, d := range a.Documents {
		if !slices.ContainsFunc(out.Documents, func(x registry.Document) bool { return x.Type == d.Type && x.Number == d.Number }) && len(out.Documents) < 50 {
			out.Documents = append(out.Documents, d)
			prov["documents["+string(d.Type)+":"+d.Number+"]"] = SideAbsorbed
		}
	}
	for _, l := range a.Languages {
		if !slices.Contains(out.Languages, l) && len(out.Languages) < 50 {
			out.Languages = append(out.Languages, l)
		}
	}
	// Every name either record had becomes an alias of the kept person, so
	// that search and the matcher still know it.
	names := append([]string{strings.TrimSpace(k.GivenName + " " + k.FamilyName), strings.TrimSpace(a.GivenName + " " + a.FamilyName)}, a.Aliases...)
	names = append(names, k.FullNameNative, a.FullNameNative)
	current := strings.TrimSpace(out.GivenName + " " + out.FamilyName)
	for _, n := range names {
		if n == "" || n == current || n == out.FullNameNative || slices.Contains(out.Aliases, n) || len(out.Aliases) >= 20 {
			continue
		}
		out.Aliases = append(out.Aliases, n)
		prov["aliases["+n+"]"] = SideAbsorbed
	}

	eps := slices.Clone(kept.Episodes)
	for _, e := range absorbed.Episodes {
		// An episode that overlaps one of the kept person's is the same trip
		// recorded twice: the kept record of it stays.
		if slices.ContainsFunc(eps, func(x registry.MigrationEpisode) bool { return x.ID == e.ID && e.ID != "" || overlap(&x, &e) }) || len(eps) >= 50 {
			continue
		}
		eps = append(eps, e)
		if e.ID != "" {
			prov["episodes["+e.ID+"]"] = SideAbsorbed
		}
	}
	out.ID, out.OrgID, out.ExternalID = kept.Person.ID, kept.Person.OrgID, kept.Person.ExternalID
	return out, eps, prov
}

// overlap reports whether two episodes abroad overlap in time (the
// registry's rule).
func overlap(a, b *registry.MigrationEpisode) bool {
	if a.Return == nil || b.Return == nil || a.DepartureDate.IsZero() || b.DepartureDate.IsZero() {
		return false
	}
	return a.DepartureDate.Before(b.Return.Date) && b.DepartureDate.Before(a.Return.Date)
}

// clonePerson deep-copies a person through JSON, so that a merge never
// shares slices with the snapshots it is undone from.
func clonePerson(p *registry.Person) registry.Person {
	b, _ := json.Marshal(p)
	var out registry.Person
	_ = json.Unmarshal(b, &out)
	return out
}

// Revert returns the kept person as they should be after undoing the
// merge, given how they are now. When nobody changed them since the merge,
// that is exactly the snapshot taken before it. Otherwise later edits stay:
// a field taken from the absorbed person returns to its old value only if
// it still holds the merged one, and list entries that came from the
// absorbed person are removed.
func (m *Merge) Revert(current Snapshot) (registry.Person, []registry.MigrationEpisode) {
	if current.Version == m.KeptBefore.Version+1 {
		return clonePerson(&m.KeptBefore.Person), slices.Clone(m.KeptBefore.Episodes)
	}
	merged, _, _ := m.Plan.Apply(m.KeptBefore, m.Absorbed)
	before := clonePerson(&m.KeptBefore.Person)
	out := clonePerson(&current.Person)
	same := func(a, b any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	revert := func(field string, cur, mergedV any, set func()) {
		if m.Provenance[field] == SideAbsorbed && same(cur, mergedV) {
			set()
		}
	}
	revert("given_name", out.GivenName, merged.GivenName, func() { out.GivenName = before.GivenName })
	revert("family_name", out.FamilyName, merged.FamilyName, func() { out.FamilyName = before.FamilyName })
	revert("full_name_native", out.FullNameNative, merged.FullNameNative, func() { out.FullNameNative = before.FullNameNative })
	revert("sex", out.Sex, merged.Sex, func() { out.Sex = before.Sex })
	revert("date_of_birth", out.DateOfBirth, merged.DateOfBirth, func() { out.DateOfBirth = before.DateOfBirth })
	revert("father_name", out.FatherName, merged.FatherName, func() { out.FatherName = before.FatherName })
	revert("mother_name", out.MotherName, merged.MotherName, func() { out.MotherName = before.MotherName })
	revert("address", out.Address, merged.Address, func() { out.Address = before.Address })
	revert("household", out.Household, merged.Household, func() { out.Household = before.Household })
	revert("education", out.Education, merged.Education, func() { out.Education = before.Education })
	revert("disability", out.Disability, merged.Disability, func() { out.Disability = before.Disability })
	out.Phones = slices.DeleteFunc(out.Phones, func(ph string) bool { return m.Provenance["phones["+ph+"]"] == SideAbsorbed })
	out.Documents = slices.DeleteFunc(out.Documents, func(d registry.Document) bool {
		return m.Provenance["documents["+string(d.Type)+":"+d.Number+"]"] == SideAbsorbed
	})
	out.Aliases = slices.DeleteFunc(out.Aliases, func(a string) bool { return m.Provenance["aliases["+a+"]"] == SideAbsorbed })
	eps := slices.DeleteFunc(slices.Clone(current.Episodes), func(e registry.MigrationEpisode) bool {
		return e.ID != "" && m.Provenance["episodes["+e.ID+"]"] == SideAbsorbed
	})
	return out, eps
}
