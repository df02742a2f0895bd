package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"homeward/internal/indicator"
)

// The chart's trend line follows the least-squares slope of the months
// with a value (a gap is skipped) and is left out with fewer than three.
func TestChartTrend(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	d := &indicator.Definition{Code: "registrations", Unit: indicator.Count}
	s := &indicator.Series{Rows: []indicator.Row{{Period: "2026-01", Value: f(10)}, {Period: "2026-02"}, {Period: "2026-03", Value: f(30)}, {Period: "2026-04", Value: f(40)}}}
	svg := string(barChart("en", d, s, "Registrations"))
	if !strings.Contains(svg, `class="trend"><title>Trend: +10 a month</title>`) {
		t.Errorf("trend: %s", svg)
	}
	down := &indicator.Series{Rows: []indicator.Row{{Period: "2026-01", Value: f(9)}, {Period: "2026-02", Value: f(6)}, {Period: "2026-03", Value: f(3)}}}
	if svg := string(barChart("bn", d, down, "নিবন্ধন")); !strings.Contains(svg, "প্রবণতা: মাসে -৩") {
		t.Errorf("falling trend in Bangla: %s", svg)
	}
	two := &indicator.Series{Rows: []indicator.Row{{Period: "2026-01", Value: f(1)}, {Period: "2026-02", Value: f(2)}}}
	if strings.Contains(string(barChart("en", d, two, "x")), `class="trend"`) {
		t.Error("a trend through two months")
	}
}

// On a right-to-left page the bars are mirrored: the first month on the
// right, the last on the left, the value axis's labels on the right.
func TestChartRightToLeft(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	d := &indicator.Definition{Code: "registrations", Unit: indicator.Count}
	s := &indicator.Series{Rows: []indicator.Row{{Period: "2026-01", Value: f(10)}, {Period: "2026-02", Value: f(20)}}}
	bars := regexp.MustCompile(`<rect x="([0-9.]+)"`)
	xs := func(svg string) []float64 {
		var out []float64
		for _, m := range bars.FindAllStringSubmatch(svg, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			out = append(out, x)
		}
		return out
	}
	ltr, rtl := string(barChart("en", d, s, "x")), string(barChart("ur", d, s, "x"))
	l, r := xs(ltr), xs(rtl)
	if len(l) != 2 || len(r) != 2 || !(l[0] < l[1]) || !(r[0] > r[1]) {
		t.Fatalf("bars ltr %v, rtl %v: the first month is not on the reading side", l, r)
	}
	if !strings.Contains(rtl, `text-anchor="start">`+"۲۰") || !strings.Contains(rtl, `direction="ltr"`) {
		t.Errorf("the rtl value axis is not on the right:\n%s", rtl)
	}
}
