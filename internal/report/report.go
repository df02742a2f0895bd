// Package report builds the donor / results-framework report: a workbook
// of every standard indicator for a period, as totals by month and broken
// down by sex, age group, district, destination and return type, read from
// the precomputed indicators (never from the records). Reports are
// requested by a user or by an organisation's monthly schedule, built in
// the background by whichever server claims them (Run), and stored for
// download.
package report

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/reference"
	"homeward/internal/rpl"
)

// States of a report.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Report is one requested report; the workbook itself is read apart
// (it may be large).
type Report struct {
	ID          string          `json:"id"`
	OrgID       string          `json:"org_id"` // "": every organisation
	RequestedBy string          `json:"requested_by"`
	Lang        string          `json:"lang"`
	From        indicator.Month `json:"from"`
	To          indicator.Month `json:"to"`
	Scheduled   bool            `json:"scheduled"`
	State       string          `json:"state"`
	Progress    int             `json:"progress"` // 0–100
	Error       string          `json:"error,omitempty"`
	Size        int             `json:"size"`     // of the workbook
	PDFSize     int             `json:"pdf_size"` // 0: no PDF
	RequestedAt time.Time       `json:"requested_at"`
	FinishedAt  *time.Time      `json:"finished_at,omitempty"`
}

// MaxMonths bounds a report's period: a workbook of five years of months
// stays a few megabytes.
const MaxMonths = 60

// Breakdowns are the disaggregations a report shows, one sheet each.
var Breakdowns = []string{"sex", "age_group", "district", "destination", "return_type"}

// Service requests, lists and downloads reports, and sets an
// organisation's monthly report. Implementations enforce the policy for
// the actor in ctx: people who may read the indicators, their own
// organisation's reports (every organisation's for the operator's).
type Service interface {
	RequestReport(ctx context.Context, from, to indicator.Month, lang string) (*Report, error)
	Reports(ctx context.Context) ([]*Report, error)
	// ReportFile returns a built report's file in format (xlsx or pdf).
	ReportFile(ctx context.Context, id, format string) (*Report, []byte, error)
	SetReportSchedule(ctx context.Context, on bool, lang string) error
	ReportSchedule(ctx context.Context) (bool, error)
}

// Store is what building reports needs from storage. Its methods enforce
// the policy for the actor in ctx.
type Store interface {
	IndicatorPage(ctx context.Context, reqs []indicator.Request) ([]*indicator.Series, error)
	// QueueScheduledReports queues the previous month's report of every
	// organisation with a monthly schedule that does not have it yet.
	QueueScheduledReports(ctx context.Context) (int, error)
	// ClaimReport takes the oldest queued report (or one whose builder
	// stopped answering) for owner; nil when there is none.
	ClaimReport(ctx context.Context, owner string, lease time.Duration) (*Report, error)
	ReportProgress(ctx context.Context, id, owner string, progress int) error
	FinishReport(ctx context.Context, id, owner string, xlsx, pdf []byte, failure string) error
}

// ValueLabel names a disaggregation's value in lang: a district by its
// name, a country by its name, a code by its catalogue label.
func ValueLabel(lang, field, v string) string {
	key := ""
	switch field {
	case "sex":
		key = "registry.sex." + v
	case "return_type":
		key = "registry.return_type." + v
	case "service_type":
		key = "referral.service." + v
	case "district":
		if a := reference.Area(v); a != nil {
			return a.Name(lang)
		}
	case "upazila":
		if v == "" {
			return i18n.T(lang, "indicator.value.no_upazila", nil)
		}
		if a := reference.Area(v); a != nil {
			return a.Name(lang)
		}
	case "programme":
		if v == "" {
			return i18n.T(lang, "indicator.value.no_programme", nil)
		}
	case "destination":
		if c := reference.CountryByCode(v); c != nil {
			return c.Name(lang)
		}
	case "standard":
		if s := rpl.Starter().Standard(v); s != nil {
			return rpl.Text(s.Name, lang)
		}
	}
	if v != "" && key != "" && i18n.Has(key) {
		return i18n.T(lang, key, nil)
	}
	return i18n.Digits(lang, v)
}

// Data is what a report shows: every standard indicator's series for
// the period, in total and by each breakdown, read once and written as a
// workbook and as a printable document.
type Data struct {
	Report  *Report
	OrgName string // "" for every organisation
	Made    time.Time
	Defs    []*indicator.Definition
	Totals  []*indicator.Series
	By      map[string][]*indicator.Series // breakdown → series (By empty where the indicator has not it)
}

// Collect reads a report's figures from the precomputed indicators;
// progress is told the share done after each read.
func Collect(ctx context.Context, st Store, rep *Report, orgName string, now time.Time, progress func(int)) (*Data, error) {
	d := &Data{Report: rep, OrgName: orgName, Made: now, Defs: indicator.Standard(), By: map[string][]*indicator.Series{}}
	page := func(by string) ([]*indicator.Series, error) {
		reqs := make([]indicator.Request, len(d.Defs))
		for i, def := range d.Defs {
			q := indicator.Query{From: rep.From, To: rep.To, OrgID: rep.OrgID}
			if by != "" && slices.Contains(def.By, by) {
				q.By = []string{by}
			}
			reqs[i] = indicator.Request{Def: def, Query: q}
		}
		return st.IndicatorPage(ctx, reqs)
	}
	steps := 2 + len(Breakdowns) // the reads, then the files
	var err error
	if d.Totals, err = page(""); err != nil {
		return nil, err
	}
	progress(100 / steps)
	for n, by := range Breakdowns {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d.By[by], err = page(by); err != nil {
			return nil, err
		}
		progress(100 * (n + 2) / steps)
	}
	return d, nil
}

// intro is the report's heading lines: title, scope and period, when it
// was made, and the suppression rule.
func (d *Data) intro() []string {
	lang, rep := d.Report.Lang, d.Report
	scope := d.OrgName
	if scope == "" {
		scope = i18n.T(lang, "report.scope_all", nil)
	}
	return []string{
		i18n.T(lang, "report.title", nil),
		i18n.T(lang, "report.subtitle", map[string]any{"org": scope, "from": i18n.Digits(lang, string(rep.From)), "to": i18n.Digits(lang, string(rep.To))}),
		i18n.T(lang, "report.generated", map[string]any{"at": d.Made.UTC().Format("2006-01-02 15:04") + " UTC"}),
		i18n.T(lang, "report.suppression", map[string]any{"k": indicator.K}),
	}
}

// Workbook writes the report as XLSX: a sheet of totals (an indicator per
// row, a month per column, and when each was computed) and a sheet per
// breakdown (an indicator, month and value per row), with the rows of
// fewer than indicator.K people marked, not shown.
func (d *Data) Workbook() ([]byte, error) {
	lang := d.Report.Lang
	t := func(key string, args map[string]any) string { return i18n.T(lang, key, args) }
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	set := func(sheet string, col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, cell, v)
	}
	head := func(sheet string, row int, cols []string) error {
		for i, c := range cols {
			if err := set(sheet, i+1, row, c); err != nil {
				return err
			}
		}
		a, _ := excelize.CoordinatesToCellName(1, row)
		b, _ := excelize.CoordinatesToCellName(len(cols), row)
		return f.SetCellStyle(sheet, a, b, bold)
	}
	totals := t("report.sheet.totals", nil)
	if err := f.SetSheetName("Sheet1", totals); err != nil {
		return nil, err
	}
	intro := d.intro()
	for i, s := range intro {
		if err := set(totals, 1, i+1, s); err != nil {
			return nil, err
		}
	}
	row := len(intro) + 2
	months := monthsOf(d.Report.From, d.Report.To)
	cols := []string{t("indicator.column.code", nil), t("indicator.column.name", nil), t("indicator.column.unit", nil)}
	for _, m := range months {
		cols = append(cols, i18n.Digits(lang, m))
	}
	cols = append(cols, t("indicator.column.computed_at", nil))
	if err := head(totals, row, cols); err != nil {
		return nil, err
	}
	for i, s := range d.Totals {
		def := d.Defs[i]
		row++
		vals := []any{def.Code, def.Title(lang), t("indicator.unit."+string(def.Unit), nil)}
		byMonth := map[string]*float64{}
		for _, r := range s.Rows {
			byMonth[r.Period] = r.Value
		}
		for _, m := range months {
			vals = append(vals, cellValue(byMonth[m]))
		}
		vals = append(vals, computedAt(s))
		for j, v := range vals {
			if err := set(totals, j+1, row, v); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetColWidth(totals, "B", "B", 48); err != nil {
		return nil, err
	}
	for _, by := range Breakdowns {
		sheet := t("indicator.by."+by, nil)
		if _, err := f.NewSheet(sheet); err != nil {
			return nil, err
		}
		cols := []string{t("indicator.column.code", nil), t("indicator.column.name", nil), t("indicator.column.period", nil), sheet,
			t("indicator.column.value", nil), t("indicator.column.numerator", nil), t("indicator.column.denominator", nil)}
		if err := head(sheet, 1, cols); err != nil {
			return nil, err
		}
		row := 1
		for i, s := range d.By[by] {
			def := d.Defs[i]
			if len(s.By) == 0 {
				continue // not broken down this way
			}
			for _, r := range s.Rows {
				row++
				vals := []any{def.Code, def.Title(lang), i18n.Digits(lang, r.Period), ValueLabel(lang, by, r.By[by])}
				if r.Suppressed {
					vals = append(vals, t("indicator.ui.suppressed", nil))
				} else {
					vals = append(vals, cellValue(r.Value), cellValue(r.Numerator))
					if def.Denominator != nil {
						vals = append(vals, cellValue(r.Denominator))
					}
				}
				for j, v := range vals {
					if err := set(sheet, j+1, row, v); err != nil {
						return nil, err
					}
				}
			}
		}
		if err := f.SetColWidth(sheet, "B", "B", 48); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// cellValue is a figure as a number (rounded to two decimals), or an
// empty cell when there is none.
func cellValue(v *float64) any {
	if v == nil {
		return ""
	}
	return math.Round(*v*100) / 100
}

func computedAt(s *indicator.Series) string {
	if s.ComputedAt == nil {
		return ""
	}
	return s.ComputedAt.UTC().Format("2006-01-02 15:04") + " UTC"
}

// monthsOf lists the months from..to.
func monthsOf(from, to indicator.Month) []string {
	var out []string
	at, err := time.Parse("2006-01", string(from))
	if err != nil {
		return nil
	}
	for m := at.Format("2006-01"); m <= string(to) && len(out) < MaxMonths; m = at.Format("2006-01") {
		out = append(out, m)
		at = at.AddDate(0, 1, 0)
	}
	return out
}

// Months counts the months from..to.
func Months(from, to indicator.Month) int {
	a, err1 := time.Parse("2006-01", string(from))
	b, err2 := time.Parse("2006-01", string(to))
	if err1 != nil || err2 != nil {
		return 0
	}
	return (b.Year()-a.Year())*12 + int(b.Month()-a.Month()) + 1
}

// Lease is how long a claimed report is its builder's; a builder that
// stops answering (a crash) loses it to another after that.
const Lease = 2 * time.Minute

// Builder builds the reports of one process.
type Builder struct {
	Store Store
	// Owner names this process among several servers.
	Owner string
	// OrgName names an organisation for the documents.
	OrgName func(ctx context.Context, id string) string
	Now     func() time.Time
	Log     *slog.Logger
	// Chromium, when set, is the browser that prints the PDF (Go's PDF
	// libraries do not shape Bangla or Arabic; Chromium does); without
	// it a report is a workbook only.
	Chromium string
}

// Run queues the scheduled reports and builds the queued ones, one at a
// time, until ctx ends: at once, then every interval or when wake
// receives.
func (b *Builder) Run(ctx context.Context, interval time.Duration, wake <-chan struct{}) {
	for {
		if _, err := b.Store.QueueScheduledReports(ctx); err != nil && ctx.Err() == nil {
			b.Log.Error("scheduled reports not queued", "err", err)
		}
		for ctx.Err() == nil {
			rep, err := b.Store.ClaimReport(ctx, b.Owner, Lease)
			if err != nil {
				if ctx.Err() == nil {
					b.Log.Error("report not claimed", "err", err)
				}
				break
			}
			if rep == nil {
				break
			}
			b.BuildOne(ctx, rep)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(interval):
		}
	}
}

// BuildOne builds a claimed report and stores its files, or the reason
// it failed. A PDF that cannot be printed leaves the workbook.
func (b *Builder) BuildOne(ctx context.Context, rep *Report) {
	name := ""
	if rep.OrgID != "" {
		name = b.OrgName(ctx, rep.OrgID)
	}
	start := time.Now()
	var xlsx, pdf []byte
	d, err := Collect(ctx, b.Store, rep, name, b.Now(), func(p int) {
		if err := b.Store.ReportProgress(ctx, rep.ID, b.Owner, p); err != nil && ctx.Err() == nil {
			b.Log.Warn("report progress not saved", "report", rep.ID, "err", err)
		}
	})
	if err == nil {
		xlsx, err = d.Workbook()
	}
	if err == nil && b.Chromium != "" {
		var perr error
		if pdf, perr = d.PDF(ctx, b.Chromium); perr != nil && ctx.Err() == nil {
			b.Log.Warn("report printed without a PDF", "report", rep.ID, "err", perr)
		}
	}
	if ctx.Err() != nil {
		return // stopping: the lease runs out and another server builds it
	}
	failure := ""
	if err != nil {
		failure = err.Error()
		b.Log.Error("report failed", "report", rep.ID, "err", err)
	}
	if err := b.Store.FinishReport(ctx, rep.ID, b.Owner, xlsx, pdf, failure); err != nil {
		b.Log.Error("report not stored", "report", rep.ID, "err", err)
		return
	}
	b.Log.Info("report built", "report", rep.ID, "from", rep.From, "to", rep.To, "xlsx_bytes", len(xlsx), "pdf_bytes", len(pdf), "took", time.Since(start).Round(time.Millisecond))
}

// FileName is the download name of a report's file in format.
func (r *Report) FileName(format string) string {
	return fmt.Sprintf("homeward-report-%s-%s.%s", r.From, r.To, format)
}

// SizeText is a report's size for people.
func SizeText(lang string, n int) string {
	kb := (n + 1023) / 1024
	return i18n.Digits(lang, strconv.Itoa(kb)) + " KB"
}
