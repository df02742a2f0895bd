package scoring

import (
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestChartSVG(t *testing.T) {
	p := func(x float64) *float64 { return &x }
	pts := []Point{
		{At: date("2026-04-30"), Label: "3 months", Scores: map[string]*float64{"economic": p(0.5), "social": nil, "psychosocial": p(0.7)}},
		{At: date("2026-01-31"), Label: "Baseline", Scores: map[string]*float64{"economic": p(0.25), "social": p(0.6), "psychosocial": p(0.4)}},
		{At: date("2026-07-31"), Label: "6 months", Scores: map[string]*float64{"economic": p(0.75), "social": p(0.8), "psychosocial": p(0.9)}},
	}
	svg := ChartSVG(pts, ChartLabels{ID: "p1", Title: "Scores <over> time", Desc: "Three rounds."})

	// Well-formed XML, no script, accessible name and description.
	dec := xml.NewDecoder(strings.NewReader(svg))
	var elems []string
	var titles []string
	inTitle := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			elems = append(elems, x.Name.Local)
			inTitle = x.Name.Local == "title"
		case xml.CharData:
			if inTitle {
				titles = append(titles, string(x))
			}
		case xml.EndElement:
			inTitle = false
		}
	}
	if elems[0] != "svg" || strings.Contains(svg, "<script") || strings.Contains(svg, "http://") && !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("unexpected root or script")
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="p1-title p1-desc"`, "Scores &lt;over&gt; time",
		"Three rounds. Economic: 0.25 (Baseline, 31 Jan 2026); 0.50 (3 months, 30 Apr 2026); 0.75 (6 months, 31 Jul 2026).",
		"Social: 0.60 (Baseline, 31 Jan 2026); no score (3 months, 30 Apr 2026)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// Social has a gap: two single points, so no polyline for it.
	if n := strings.Count(svg, "<polyline"); n != 2 {
		t.Errorf("%d polylines, want 2 (social breaks at the missing score)", n)
	}
	if n := len(titles); n != 1+8 {
		t.Errorf("%d titles, want chart title + 8 marker tooltips", n)
	}
	if !strings.Contains(svg, "<title>Psychosocial, 31 Jul 2026: 0.90</title>") {
		t.Error("marker tooltip missing")
	}
}

func TestChartSVGLocalizedAndEmpty(t *testing.T) {
	bn := ChartLabels{Title: "সময়ের সাথে স্কোর", NoScore: "স্কোর নেই",
		Series:      []Series{{"economic", "অর্থনৈতিক"}},
		FormatDate:  func(t time.Time) string { return t.Format("02-01-2006") },
		FormatScore: strconvF}
	svg := ChartSVG(nil, bn)
	if !strings.Contains(svg, "স্কোর নেই") || !strings.Contains(svg, "অর্থনৈতিক: স্কোর নেই.") {
		t.Errorf("empty chart: %s", svg)
	}
	one := ChartSVG([]Point{{At: date("2026-01-01"), Scores: map[string]*float64{"economic": nil}}}, bn)
	if strings.Contains(one, "<polyline") || !strings.Contains(one, "01-01-2026") {
		t.Errorf("single empty point: %s", one)
	}
}

// A right-to-left chart is the left-to-right one mirrored: the first
// round on the right, the last on the left, the score axis's labels on
// the right of the plot and anchored at their start, the legend on the
// left; every point keeps its height.
func TestChartSVGRightToLeft(t *testing.T) {
	p := func(x float64) *float64 { return &x }
	pts := []Point{
		{At: date("2026-01-31"), Scores: map[string]*float64{"economic": p(0.25)}},
		{At: date("2026-07-31"), Scores: map[string]*float64{"economic": p(0.75)}},
	}
	ltr := ChartSVG(pts, ChartLabels{Series: DefaultSeries[:1]})
	rtl := ChartSVG(pts, ChartLabels{Series: DefaultSeries[:1], RTL: true})
	line := regexp.MustCompile(`<polyline points="([0-9.]+),([0-9.]+) ([0-9.]+),([0-9.]+)"`)
	l, r := line.FindStringSubmatch(ltr), line.FindStringSubmatch(rtl)
	if l == nil || r == nil {
		t.Fatalf("no line:\n%s\n%s", ltr, rtl)
	}
	num := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	for i := 1; i <= 3; i += 2 {
		if num(l[i])+num(r[i]) != chartW || l[i+1] != r[i+1] {
			t.Errorf("point %d: ltr (%s,%s), rtl (%s,%s): not mirrored", i/2, l[i], l[i+1], r[i], r[i+1])
		}
	}
	if !(num(r[1]) > num(r[3])) {
		t.Errorf("rtl: the first round (x %s) is not right of the last (x %s)", r[1], r[3])
	}
	if !strings.Contains(rtl, `<text x="598.0" y="16.0" text-anchor="start"`) || !strings.Contains(ltr, `<text x="42.0" y="16.0" text-anchor="end"`) {
		t.Errorf("score axis labels not mirrored:\n%s", rtl)
	}
	legend := regexp.MustCompile(`<g class="legend" aria-hidden="true"><line x1="([0-9.]+)"`)
	if m := legend.FindStringSubmatch(rtl); m == nil || num(m[1]) > chartW/2 {
		t.Errorf("rtl legend not on the left: %v", m)
	}
	if !strings.Contains(rtl, `direction="ltr"`) {
		t.Error("the drawing's direction is not fixed: anchors would follow the page's")
	}
}
