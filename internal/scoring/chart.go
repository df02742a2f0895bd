package scoring

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"time"
)

// Point is one scored survey on a person's timeline.
type Point struct {
	At time.Time
	// Label names the round ("Baseline", "3 months"); optional.
	Label string
	// Scores by dimension id; nil or absent means no score (the line breaks).
	Scores map[string]*float64
}

// Series is one line of the chart.
type Series struct {
	ID    string // dimension id, the key into Point.Scores
	Label string // translated name shown in the legend
}

// ChartLabels carries the chart's translated texts and formatting, so that
// the chart speaks the page's language.
type ChartLabels struct {
	// ID prefixes the element ids, unique within the page (default
	// "score-chart").
	ID    string
	Title string // accessible title, e.g. "Reintegration scores over time"
	// Desc starts the accessible description; a summary of every series'
	// values is appended.
	Desc string
	// Series lists the lines; default economic, social and psychosocial with
	// English labels.
	Series []Series
	// NoScore is written in the description for a missing score (default
	// "no score").
	NoScore string
	// FormatDate formats axis and description dates (default "2 Jan 2006").
	FormatDate func(time.Time) string
	// FormatScore formats scores (default two decimals).
	FormatScore func(float64) string
	// RTL mirrors the chart for a right-to-left page: time runs from
	// right to left, the score axis stands on the right and the legend on
	// the left.
	RTL bool
}

// DefaultSeries are the three dimensions of the default scheme.
var DefaultSeries = []Series{{"economic", "Economic"}, {"social", "Social"}, {"psychosocial", "Psychosocial"}}

var chartStyles = []struct{ color, dash, marker string }{
	{"#1b6ca8", "", "circle"},
	{"#c0392b", "7 4", "square"},
	{"#6c3483", "2 4", "triangle"},
	{"#117a65", "10 3 2 3", "diamond"},
}

const (
	chartW, chartH         = 640, 300
	padL, padR, padT, padB = 48, 150, 16, 44
	plotW, plotH           = chartW - padL - padR, chartH - padT - padB
	markerR                = 4.5
)

// ChartSVG draws dimension scores over time as an inline SVG document
// fragment: no script, no external resources, one line per series with a
// distinct colour, dash pattern and marker shape (readable without colour),
// a legend, a <title> and <desc> that state every value for screen readers,
// and a <title> tooltip on each marker. Scores are plotted on a fixed 0–1
// axis; time is proportional. Points are sorted by time.
func ChartSVG(series []Point, labels ChartLabels) string {
	if labels.ID == "" {
		labels.ID = "score-chart"
	}
	if len(labels.Series) == 0 {
		labels.Series = DefaultSeries
	}
	if labels.NoScore == "" {
		labels.NoScore = "no score"
	}
	if labels.FormatDate == nil {
		labels.FormatDate = func(t time.Time) string { return t.Format("2 Jan 2006") }
	}
	if labels.FormatScore == nil {
		labels.FormatScore = func(x float64) string { return fmt.Sprintf("%.2f", x) }
	}
	pts := append([]Point(nil), series...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
	esc := html.EscapeString
	id := esc(labels.ID)
	fx, start, end := Mirror(chartW, labels.RTL)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-title %s-desc" class="score-chart" font-family="sans-serif" font-size="12" direction="ltr">`, chartW, chartH, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(labels.Title))
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(describeChart(pts, labels)))

	// Axes and grid.
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		y := yPos(v)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ccc" stroke-width="1"/>`, fx(padL), y, fx(padL+plotW), y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="%s" dominant-baseline="middle" fill="#333">%s</text>`, fx(padL-6), y, end, esc(labels.FormatScore(v)))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333"/>`, fx(padL), padT+plotH, fx(padL+plotW), padT+plotH)

	xs := xPositions(pts)
	lastX := -1000.0
	for i, p := range pts {
		// Skip an axis label that would overlap the previous one.
		if xs[i]-lastX < 70 {
			continue
		}
		lastX = xs[i]
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#333">%s</text>`, fx(xs[i]), padT+plotH+18, esc(labels.FormatDate(p.At)))
		if p.Label != "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#666" font-size="11">%s</text>`, fx(xs[i]), padT+plotH+33, esc(p.Label))
		}
	}

	for si, s := range labels.Series {
		st := chartStyles[si%len(chartStyles)]
		fmt.Fprintf(&b, `<g class="series series-%s" stroke="%s" fill="%s">`, esc(s.ID), st.color, st.color)
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				dash := ""
				if st.dash != "" {
					dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
				}
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke-width="2.5"%s/>`, strings.Join(seg, " "), dash)
			}
			seg = seg[:0]
		}
		for i, p := range pts {
			v := p.Scores[s.ID]
			if v == nil || math.IsNaN(*v) {
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", fx(xs[i]), yPos(*v)))
		}
		flush()
		for i, p := range pts {
			v := p.Scores[s.ID]
			if v == nil || math.IsNaN(*v) {
				continue
			}
			tip := fmt.Sprintf("%s, %s: %s", s.Label, labels.FormatDate(p.At), labels.FormatScore(*v))
			fmt.Fprintf(&b, `%s<title>%s</title></%s>`, marker(st.marker, fx(xs[i]), yPos(*v)), esc(tip), markerTag(st.marker))
		}
		b.WriteString(`</g>`)
		// Legend entry.
		ly := float64(padT + 14 + 22*si)
		lx := float64(padL + plotW + 16)
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		fmt.Fprintf(&b, `<g class="legend" aria-hidden="true"><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5"%s/>`, fx(lx), ly, fx(lx+28), ly, st.color, dash)
		fmt.Fprintf(&b, `%s</%s>`, marker(st.marker, fx(lx+14), ly), markerTag(st.marker))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="%s" dominant-baseline="middle" fill="#222">%s</text></g>`, fx(lx+36), ly, start, esc(s.Label))
	}
	if len(pts) == 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#666">%s</text>`, fx(padL+plotW/2), padT+plotH/2, esc(labels.NoScore))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// Mirror serves a drawing whose geometry is computed left to right: fx
// returns an x as drawn (mirrored within width w for a right-to-left
// page), and start and end are the text anchors that read as the
// reading direction's start and end. The drawing's own direction is to
// stay ltr (direction="ltr"), so that an anchor means the same whatever
// the page's direction.
func Mirror(w float64, rtl bool) (fx func(float64) float64, start, end string) {
	if rtl {
		return func(x float64) float64 { return w - x }, "end", "start"
	}
	return func(x float64) float64 { return x }, "start", "end"
}

func yPos(v float64) float64 {
	v = math.Max(0, math.Min(1, v))
	return float64(padT) + (1-v)*float64(plotH)
}

func xPositions(pts []Point) []float64 {
	xs := make([]float64, len(pts))
	if len(pts) == 0 {
		return xs
	}
	first, last := pts[0].At, pts[len(pts)-1].At
	span := last.Sub(first)
	inner := float64(plotW) - 40
	for i, p := range pts {
		if span <= 0 {
			xs[i] = float64(padL) + float64(plotW)/2
			continue
		}
		xs[i] = float64(padL) + 20 + inner*float64(p.At.Sub(first))/float64(span)
	}
	return xs
}

// marker returns the opening of a marker element (closed by the caller with
// markerTag, so that a <title> can go inside).
func marker(kind string, x, y float64) string {
	r := markerR
	switch kind {
	case "square":
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f">`, x-r, y-r, 2*r, 2*r)
	case "triangle":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f">`, x, y-r-1, x-r-1, y+r, x+r+1, y+r)
	case "diamond":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f">`, x, y-r-1, x+r+1, y, x, y+r+1, x-r-1, y)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="%.1f">`, x, y, r)
}

func markerTag(kind string) string {
	switch kind {
	case "square":
		return "rect"
	case "triangle", "diamond":
		return "polygon"
	}
	return "circle"
}

// describeChart states every value in words, one sentence per series.
func describeChart(pts []Point, l ChartLabels) string {
	var parts []string
	if l.Desc != "" {
		parts = append(parts, strings.TrimSpace(l.Desc))
	}
	for _, s := range l.Series {
		var vals []string
		for _, p := range pts {
			v := l.NoScore
			if x := p.Scores[s.ID]; x != nil && !math.IsNaN(*x) {
				v = l.FormatScore(*x)
			}
			when := l.FormatDate(p.At)
			if p.Label != "" {
				when = p.Label + ", " + when
			}
			vals = append(vals, fmt.Sprintf("%s (%s)", v, when))
		}
		if len(vals) == 0 {
			vals = []string{l.NoScore}
		}
		parts = append(parts, s.Label+": "+strings.Join(vals, "; ")+".")
	}
	return strings.Join(parts, " ")
}
