package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/indicator"
	"homeward/internal/programme"
	"homeward/internal/reference"
)

// pageOnly answers IndicatorPage with a row per district for every
// request broken down by district (and one row otherwise), as a store
// does for a year's figures at a million people.
type pageOnly struct {
	indicator.Service
	districts []string
}

func (s pageOnly) IndicatorPage(_ context.Context, reqs []indicator.Request) ([]*indicator.Series, error) {
	districts := s.districts
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*indicator.Series, len(reqs))
	for i, rq := range reqs {
		s := &indicator.Series{Code: rq.Def.Code, ComputedAt: &at, By: rq.Query.By}
		if len(rq.Query.By) == 0 {
			for m := 1; m <= 12; m++ {
				s.Rows = append(s.Rows, rq.Def.MakeRow(fmt.Sprintf("2026-%02d", m), nil, "", float64(1234+m*17), float64(5678+m*29), ""))
			}
		}
		for j, d := range byDistrict(rq, districts) {
			s.Rows = append(s.Rows, rq.Def.MakeRow("2026-01..2026-12", rq.Query.By, d, float64(100+j*37), float64(1000+j*91), ""))
		}
		out[i] = s
	}
	return out, nil
}

// dashboardWeb is a Web whose indicators are pageOnly's, over
// Bangladesh's districts, which it also returns.
func dashboardWeb(tb testing.TB) (*Web, []string) {
	var districts []string
	for _, a := range reference.SearchAreas(reference.AreaFilter{Country: "BD", Level: "district"}) {
		districts = append(districts, a.Code)
	}
	w, err := New(Services{Indicators: pageOnly{districts: districts}, Programmes: noProgrammes{}})
	if err != nil {
		tb.Fatal(err)
	}
	return w, districts
}

type noProgrammes struct{ programme.Service }

func (noProgrammes) Programmes(context.Context, programme.Filter) ([]*programme.Programme, error) {
	return nil, nil
}

// BenchmarkIndicatorsByDistrict renders the dashboard broken down by
// district (25 cards of 64 districts), and month by month (25 charts and
// tables of 12 months), without a database: what the page itself costs
// in CPU. go test ./internal/web -run X -bench IndicatorsBy
func BenchmarkIndicatorsByDistrict(b *testing.B) {
	w, _ := dashboardWeb(b)
	actor := &homeward.Actor{UserID: "u1", OrgID: "o1", Roles: []homeward.Role{homeward.RoleMEAnalyst}}
	for _, c := range []struct{ name, query string }{{"by_district/en", "by=district"}, {"by_district/bn", "by=district"}, {"totals/en", ""}, {"totals/bn", ""}} {
		lang := c.name[strings.IndexByte(c.name, '/')+1:]
		b.Run(c.name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				r := httptest.NewRequest("GET", "/indicators?from=2026-01&to=2026-12&"+c.query, nil)
				r.AddCookie(&http.Cookie{Name: "lang", Value: lang})
				r = r.WithContext(homeward.NewContextWithActor(r.Context(), actor))
				rw := httptest.NewRecorder()
				if err := w.indicators(rw, r); err != nil {
					b.Fatal(err)
				}
				if rw.Code != http.StatusOK {
					b.Fatalf("%d", rw.Code)
				}
				size = rw.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

func byDistrict(rq indicator.Request, districts []string) []string {
	if len(rq.Query.By) == 1 && rq.Query.By[0] == "district" {
		return districts
	}
	return nil
}

// A card's table rows: every cell escaped, suppressed rows muted, a cell
// per by-field between the period and the figures.
func TestCardBody(t *testing.T) {
	c := indicatorCard{Rows: []indicatorRow{
		{Period: "2026-01..2026-12", By: []string{"Cox's Bazar <x>"}, Value: "12.5%", Num: "1,234", Den: "9,872"},
		{Period: "২০২৬-০১", By: []string{"ঢাকা"}, Value: "fewer than 5 people", Hidden: true},
	}}
	want := `<tr><td>2026-01..2026-12</td><td>Cox&#39;s Bazar &lt;x&gt;</td><td class="num">12.5%</td><td class="num">1,234</td><td class="num">9,872</td></tr>` +
		`<tr class="muted"><td>২০২৬-০১</td><td>ঢাকা</td><td class="num">fewer than 5 people</td><td class="num"></td><td class="num"></td></tr>`
	if got := string(c.Body()); got != want {
		t.Errorf("body:\n%s\nwant\n%s", got, want)
	}
	if got := (indicatorCard{}).Body(); got != "" {
		t.Errorf("no rows: %q", got)
	}
}

// The dashboard broken down by district has, in each card kept by
// district, a row per district with its figures in the reader's digits.
func TestIndicatorsByDistrictRows(t *testing.T) {
	w, districts := dashboardWeb(t)
	r := httptest.NewRequest("GET", "/indicators?by=district&from=2026-01&to=2026-12", nil)
	r.AddCookie(&http.Cookie{Name: "lang", Value: "bn"})
	r = r.WithContext(homeward.NewContextWithActor(r.Context(), &homeward.Actor{UserID: "u1", OrgID: "o1", Roles: []homeward.Role{homeward.RoleMEAnalyst}}))
	rw := httptest.NewRecorder()
	if err := w.indicators(rw, r); err != nil || rw.Code != 200 {
		t.Fatalf("%v %d", err, rw.Code)
	}
	page := rw.Body.String()
	i := strings.Index(page, `id="ind-registrations"`)
	if i < 0 {
		t.Fatal("no registrations card")
	}
	card := page[i:]
	card = card[:strings.Index(card, "</section>")]
	if n := strings.Count(card, "<tr><td>"); n != len(districts) {
		t.Errorf("registrations by district: %d rows, want %d", n, len(districts))
	}
	// The first district's count, in Bangla digits (a count has no
	// denominator).
	if !strings.Contains(card, `<td>বরগুনা</td><td class="num">১০০</td><td class="num">১০০</td><td class="num"></td>`) {
		t.Errorf("registrations card lacks the first district's figures:\n%.2000s", card)
	}
}

// A select's districts: grouped by division, escaped, the chosen one
// selected; the lists are shared per language and country.
func TestDistrictOptionsHTML(t *testing.T) {
	groups := []districtGroup{{Division: "Chattogram & <Co>", Options: []option{{"BD2022", "Cox's Bazar"}, {"BD2015", "Chattogram"}}}}
	want := `<optgroup label="Chattogram &amp; &lt;Co&gt;"><option value="BD2022" selected>Cox&#39;s Bazar</option><option value="BD2015">Chattogram</option></optgroup>`
	if got := string(districtOptionsHTML(groups, "BD2022")); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(districtOptionsHTML(groups, "")); strings.Contains(got, "selected") {
		t.Errorf("nothing chosen, yet: %s", got)
	}
	bn, en := districtOptions("bn", "BD"), districtOptions("en", "BD")
	if len(bn) != 8 || bn[0].Division == en[0].Division {
		t.Errorf("Bangladesh's divisions in Bangla and English: %d, %q / %q", len(bn), bn[0].Division, en[0].Division)
	}
	if again := districtOptions("bn", "BD"); &again[0] != &bn[0] {
		t.Error("the list is made again for the same language and country")
	}
}
