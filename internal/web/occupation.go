package web

import (
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/reference"
)

// Occupations are picked by words: a person types "driver", the input's
// suggestion list (a datalist the server fills through htmx, no script of
// our own) offers the ISCO-08 unit groups that match, and the form sends
// the one picked as "8322 Car, taxi and van drivers".

func (w *Web) routesOccupations() {
	w.handle("GET /occupations/suggest", w.occupationSuggest, true)
}

// occupationSuggest answers the occupation input's htmx request with the
// suggestion list for what was typed so far.
func (w *Web) occupationSuggest(rw http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(homeward.ASCIIDigits(r.URL.Query().Get("isco")))
	var opts []option
	if code, _, ok := strings.Cut(q, " "); ok && reference.OccupationByCode(code) != nil {
		q = code // an entry of the list, picked
	}
	if len([]rune(q)) >= 2 {
		for _, o := range reference.SearchOccupations(q, "unit", 30) {
			opts = append(opts, option{o.Code, occupationText(o.Code)})
		}
	}
	p := w.newPage(r, "delivery.ui.isco", opts)
	return w.renderFragment(rw, "delivery_view", "isco_options", p)
}

// occupationText is how an input shows an ISCO-08 code: "8322 Car, taxi
// and van drivers" (the code alone when it is not known).
func occupationText(code string) string {
	if o := reference.OccupationByCode(code); o != nil {
		return o.Code + " " + o.Title
	}
	return code
}

// iscoInput reads an occupation typed on a page: a code ("8322"), an
// entry of the suggestion list ("8322 Car, taxi and van drivers"), or
// words that name exactly one unit group ("bricklayer"). Words that fit
// several or none add a field error to v asking to pick from the list,
// and are returned as typed.
func iscoInput(v *homeward.Validation, field, typed string) string {
	s := strings.TrimSpace(homeward.ASCIIDigits(typed))
	if s == "" {
		return ""
	}
	code, _, _ := strings.Cut(s, " ")
	if len(code) == 4 && strings.Trim(code, "0123456789") == "" {
		return code // the service says whether it is an ISCO-08 code
	}
	matches := reference.SearchOccupations(s, "unit", 0)
	switch len(matches) {
	case 1:
		return matches[0].Code
	case 0:
		v.AddArgs(field, "ui_a.isco.none", map[string]any{"value": typed}, "No ISCO-08 occupation matches “%s”; try another word or a code.", typed)
	default:
		v.AddArgs(field, "ui_a.isco.pick", map[string]any{"value": typed, "n": len(matches)}, "“%s” fits %d occupations; pick one from the list.", typed, len(matches))
	}
	return typed
}
