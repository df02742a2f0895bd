package web

import (
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
