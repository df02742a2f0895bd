package report

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"homeward/internal/i18n"
	"homeward/internal/indicator"
)

//go:embed document.html
var documentHTML string

var document = template.Must(template.New("report").Parse(documentHTML))

// PrintedBreakdowns are the breakdowns the printed report shows (the
// workbook has them all): the gender- and age-responsive headline.
var PrintedBreakdowns = []string{"sex", "age_group"}

type docTable struct {
	Title  string
	Head   []string // after the first one or two columns
	First  string   // the first column's heading
	Second string   // the second's, "" for none
	Rows   []docRow
}

type docRow struct {
	Name, Value string
	Cells       []string
}

type docData struct {
	Lang, Dir  string
	Intro      []string
	Tables     []docTable
	Suppressed string
}

// Document writes the report as a printable HTML page: the totals by
// month, then an indicator per row and value for each printed breakdown,
// with "*" where a figure describes fewer than indicator.K people.
func (d *Data) Document() ([]byte, error) {
	lang := d.Report.Lang
	t := func(key string, args map[string]any) string { return i18n.T(lang, key, args) }
	months := monthsOf(d.Report.From, d.Report.To)
	var head []string
	for _, m := range months {
		head = append(head, i18n.Digits(lang, m))
	}
	fig := func(def *indicator.Definition, r *indicator.Row) string {
		if r == nil {
			return "–"
		}
		if r.Suppressed {
			return "*"
		}
		return Figure(lang, def.Unit, r.Value)
	}
	totals := docTable{Title: t("report.sheet.totals", nil), First: t("indicator.column.name", nil), Head: head}
	for i, s := range d.Totals {
		def := d.Defs[i]
		byMonth := map[string]*indicator.Row{}
		for j := range s.Rows {
			byMonth[s.Rows[j].Period] = &s.Rows[j]
		}
		row := docRow{Name: def.Title(lang) + " (" + t("indicator.unit."+string(def.Unit), nil) + ")"}
		for _, m := range months {
			row.Cells = append(row.Cells, fig(def, byMonth[m]))
		}
		totals.Rows = append(totals.Rows, row)
	}
	doc := docData{Lang: lang, Dir: i18n.Dir(lang), Intro: d.intro(), Tables: []docTable{totals},
		Suppressed: "* " + t("indicator.ui.suppressed", nil)}
	for _, by := range PrintedBreakdowns {
		tab := docTable{Title: t("indicator.by."+by, nil), First: t("indicator.column.name", nil), Second: t("indicator.by."+by, nil), Head: head}
		for i, s := range d.By[by] {
			def := d.Defs[i]
			if len(s.By) == 0 {
				continue
			}
			// one row per value, in the order first seen
			var order []string
			cells := map[string]map[string]*indicator.Row{}
			for j := range s.Rows {
				r := &s.Rows[j]
				v := r.By[by]
				if cells[v] == nil {
					cells[v] = map[string]*indicator.Row{}
					order = append(order, v)
				}
				cells[v][r.Period] = r
			}
			for _, v := range order {
				row := docRow{Name: def.Title(lang), Value: ValueLabel(lang, by, v)}
				for _, m := range months {
					row.Cells = append(row.Cells, fig(def, cells[v][m]))
				}
				tab.Rows = append(tab.Rows, row)
			}
		}
		doc.Tables = append(doc.Tables, tab)
	}
	var buf bytes.Buffer
	if err := document.Execute(&buf, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Figure formats an indicator's value for lang: counts and amounts whole,
// percentages to one decimal with %, means and medians to two; nil is a
// dash. The dashboard and the printed report share it.
func Figure(lang string, u indicator.Unit, v *float64) string {
	if v == nil {
		return "–"
	}
	switch u {
	case indicator.Count, indicator.Amount:
		return i18n.Number(lang, int64(math.Round(*v)))
	case indicator.Percent:
		return i18n.Number(lang, math.Round(*v*10)/10) + "%"
	default:
		return i18n.Number(lang, math.Round(*v*100)/100)
	}
}

// PDF prints the report's document with the Chromium at chromium, on A4
// in landscape. The page and the browser's profile live in a temporary
// directory that is removed on every path.
func (d *Data) PDF(ctx context.Context, chromium string) ([]byte, error) {
	html, err := d.Document()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "homeward-report-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+page)); err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFLandscape(), chromedp.PDFPaper(chromedp.PaperSize{Width: 11.69, Height: 8.27}),
		chromedp.PDFMargin(0.4), chromedp.PDFPrintBackground()))
	if err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	return pdf, nil
}

// FindChromium returns the path of a Chromium or Chrome on this machine,
// or "" when there is none.
func FindChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
