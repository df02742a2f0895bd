package web

import (
	"net/http"
	"net/url"
	"strconv"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// peopleRow is one line of the search results, ready to show.
type peopleRow struct {
	registry.Summary
	DistrictName string
	ReturnDate   string
	Assigned     string
}

type peopleData struct {
	Q, District, Status, Sex, ReturnType string
	Mine                                 bool
	Incomplete                           bool
	Rows                                 []peopleRow
	Next                                 string
	NextURL                              string
	ExportQuery                          string
	ExportFields                         map[string]string
	Searched                             bool
	CountText                            string // how many match, on a query's first page
	Districts                            []districtGroup
	Statuses, Sexes, ReturnTypes         []option
}

// peopleQuery reads the search form: the API's parameters plus "mine"
// (assigned to me) and "incomplete" (reception cases to complete).
func peopleQuery(r *http.Request) (registry.SearchFilter, *peopleData, error) {
	q := r.URL.Query()
	d := &peopleData{Q: q.Get("q"), District: q.Get("district"), Status: q.Get("status"), Sex: q.Get("sex"), ReturnType: q.Get("return_type"),
		Mine: q.Get("mine") == "1", Incomplete: q.Get("incomplete") == "1"}
	f, err := httpx.SearchFilterFromQuery(r)
	if d.Mine {
		f.AssignedTo = homeward.ActorFromContext(r.Context()).UserID
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	d.Searched = d.Q != "" || d.District != "" || d.Status != "" || d.Sex != "" || d.ReturnType != "" || d.Mine
	keep := url.Values{}
	d.ExportFields = map[string]string{}
	for _, k := range []string{"q", "district", "status", "sex", "return_type", "mine", "incomplete"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
			d.ExportFields[k] = v
		}
	}
	d.ExportQuery = keep.Encode()
	return f, d, err
}

func (w *Web) peopleList(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActPersonRead, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	lng := lang(r)
	f, d, ferr := peopleQuery(r)
	d.Districts, d.Statuses = districtOptions(lng, w.country()), options(lng, "registry.status", registry.CaseStatuses)
	d.Sexes, d.ReturnTypes = options(lng, "registry.sex", registry.Sexes), options(lng, "registry.return_type", registry.ReturnTypesFor(w.country()))
	p := w.newPage(r, "registry.ui.people.title", d)
	status := http.StatusOK
	if ferr == nil {
		rows, next, count, err := w.search(r, f, d.Incomplete)
		if err != nil {
			if ferr = registryErrors(p, err, nil); ferr != nil {
				return ferr
			}
			status = http.StatusBadRequest
		} else {
			d.Rows, d.Next = rows, next
			if count != nil && count.Counted && !d.Incomplete {
				d.CountText = countText(lng, count)
			}
			if next != "" {
				v, _ := url.ParseQuery(d.ExportQuery)
				v.Set("cursor", next)
				d.NextURL = "/people?" + v.Encode()
			}
		}
	} else {
		if err := registryErrors(p, ferr, nil); err != nil {
			return err
		}
		status = http.StatusBadRequest
	}
	if htmxTarget(r) == "results" {
		return w.renderPart(rw, status, "registry_people", "results", p)
	}
	return w.render(rw, status, "registry_people", p)
}

// search runs f and turns the summaries into rows; incomplete keeps only
// reception cases still to complete (reading further pages as needed). The
// first page's result comes back for its count.
func (w *Web) search(r *http.Request, f registry.SearchFilter, incomplete bool) ([]peopleRow, string, *registry.SearchResult, error) {
	lng := lang(r)
	names := w.userNames(r)
	var rows []peopleRow
	var first *registry.SearchResult
	for {
		res, err := w.svc.Registry.SearchPage(r.Context(), f)
		if err != nil {
			return nil, "", nil, err
		}
		if first == nil {
			first = res
		}
		for _, s := range res.Items {
			if incomplete && !s.Incomplete {
				continue
			}
			row := peopleRow{Summary: s, DistrictName: areaName(lng, s.District), ReturnDate: isoText(lng, s.ReturnDate)}
			if s.District == "" {
				row.DistrictName = ""
			}
			if s.AssignedTo != "" {
				w.addNames(r, names, s.AssignedTo)
				row.Assigned = names[s.AssignedTo]
			}
			rows = append(rows, row)
		}
		if !incomplete || res.Next == "" || len(rows) >= f.Limit {
			return rows, res.Next, first, nil
		}
		f.After = res.Next
	}
}

// countText says how many match: exactly, "more than", or that the letters
// typed begin too many names to search them all.
func countText(lng string, res *registry.SearchResult) string {
	switch {
	case res.More && res.Total == 0:
		return i18n.T(lng, "search.count_sampled_none", nil)
	case res.More:
		return i18n.T(lng, "search.count_more", map[string]any{"n": res.Total})
	}
	return i18n.T(lng, "search.count", map[string]any{"n": res.Total})
}

// peopleExport streams the filtered list as CSV or XLSX (supervisors).
func (w *Web) peopleExport(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActExport, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	f, _, err := peopleQuery(r)
	if err != nil {
		return err
	}
	f.Limit, f.After = 0, ""
	hxl, _ := strconv.ParseBool(r.URL.Query().Get("hxl"))
	return httpx.StreamExport(rw, r, w.svc.Registry, f, r.URL.Query().Get("format"), hxl, w.clock(r).Local())
}
