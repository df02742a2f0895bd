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
	Size        int             `json:"size"`
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
	ReportFile(ctx context.Context, id string) (*Report, []byte, error)
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
	FinishReport(ctx context.Context, id, owner string, file []byte, failure string) error
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
	case "destination":
		if c := reference.CountryByCode(v); c != nil {
			return c.Name(lang)
		}
	}
	if v != "" && key != "" && i18n.Has(key) {
		return i18n.T(lang, key, nil)
	}
	return i18n.Digits(lang, v)
}

// Build writes rep's workbook: a sheet of totals (an indicator per row, a
// month per column) and a sheet per breakdown (an indicator, month and
// value per row), in rep.Lang, with the time each indicator was computed
// and the rows of fewer than indicator.K people suppressed. progress is
// told the share done after each sheet.
func Build(ctx context.Context, st Store, rep *Report, orgName string, now time.Time, progress func(int)) ([]byte, error) {
	lang := rep.Lang
	t := func(key string, args map[string]any) string { return i18n.T(lang, key, args) }
	defs := indicator.Standard()
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	steps := 1 + len(Breakdowns)
	page := func(by string) ([]*indicator.Series, error) {
		reqs := make([]indicator.Request, len(defs))
		for i, d := range defs {
			q := indicator.Query{From: rep.From, To: rep.To, OrgID: rep.OrgID}
			if by != "" {
				if !slices.Contains(d.By, by) {
					q.By = nil
				} else {
					q.By = []string{by}
				}
			}
			reqs[i] = indicator.Request{Def: d, Query: q}
		}
		return st.IndicatorPage(ctx, reqs)
	}

	// Totals: an indicator per row, a month per column.
	totals := t("report.sheet.totals", nil)
	if err := f.SetSheetName("Sheet1", totals); err != nil {
		return nil, err
	}
	series, err := page("")
	if err != nil {
		return nil, err
	}
	months := monthsOf(rep.From, rep.To)
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
	scope := orgName
	if scope == "" {
		scope = t("report.scope_all", nil)
	}
	intro := []string{
		t("report.title", nil),
		t("report.subtitle", map[string]any{"org": scope, "from": i18n.Digits(lang, string(rep.From)), "to": i18n.Digits(lang, string(rep.To))}),
		t("report.generated", map[string]any{"at": now.UTC().Format("2006-01-02 15:04") + " UTC"}),
		t("report.suppression", map[string]any{"k": indicator.K}),
	}
	for i, s := range intro {
		if err := set(totals, 1, i+1, s); err != nil {
			return nil, err
		}
	}
	row := len(intro) + 2
	cols := []string{t("indicator.column.code", nil), t("indicator.column.name", nil), t("indicator.column.unit", nil)}
	for _, m := range months {
		cols = append(cols, i18n.Digits(lang, m))
	}
	cols = append(cols, t("indicator.column.computed_at", nil))
	if err := head(totals, row, cols); err != nil {
		return nil, err
	}
	for i, s := range series {
		d := defs[i]
		row++
		vals := []any{d.Code, d.Title(lang), t("indicator.unit."+string(d.Unit), nil)}
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
	progress(100 / steps)

	// A sheet per breakdown, in long form.
	for n, by := range Breakdowns {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		series, err := page(by)
		if err != nil {
			return nil, err
		}
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
		for i, s := range series {
			d := defs[i]
			if len(s.By) == 0 {
				continue // not broken down this way
			}
			for _, r := range s.Rows {
				row++
				vals := []any{d.Code, d.Title(lang), i18n.Digits(lang, r.Period), ValueLabel(lang, by, r.By[by])}
				if r.Suppressed {
					vals = append(vals, t("indicator.ui.suppressed", nil))
				} else {
					vals = append(vals, cellValue(r.Value), cellValue(r.Numerator))
					if d.Denominator != nil {
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
		progress(100 * (n + 2) / steps)
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

// Run queues the scheduled reports and builds the queued ones, one at a
// time, until ctx ends: at once, then every interval or when wake
// receives. owner names this process among several servers; orgName
// names an organisation for the workbook.
func Run(ctx context.Context, st Store, owner string, interval time.Duration, wake <-chan struct{}, orgName func(context.Context, string) string, now func() time.Time, log *slog.Logger) {
	for {
		if _, err := st.QueueScheduledReports(ctx); err != nil && ctx.Err() == nil {
			log.Error("scheduled reports not queued", "err", err)
		}
		for ctx.Err() == nil {
			rep, err := st.ClaimReport(ctx, owner, Lease)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("report not claimed", "err", err)
				}
				break
			}
			if rep == nil {
				break
			}
			BuildOne(ctx, st, rep, owner, orgName, now, log)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(interval):
		}
	}
}

// BuildOne builds a claimed report and stores the workbook, or the reason
// it failed.
func BuildOne(ctx context.Context, st Store, rep *Report, owner string, orgName func(context.Context, string) string, now func() time.Time, log *slog.Logger) {
	name := ""
	if rep.OrgID != "" {
		name = orgName(ctx, rep.OrgID)
	}
	start := time.Now()
	file, err := Build(ctx, st, rep, name, now(), func(p int) {
		if err := st.ReportProgress(ctx, rep.ID, owner, p); err != nil && ctx.Err() == nil {
			log.Warn("report progress not saved", "report", rep.ID, "err", err)
		}
	})
	if ctx.Err() != nil {
		return // stopping: the lease runs out and another server builds it
	}
	failure := ""
	if err != nil {
		failure = err.Error()
		log.Error("report failed", "report", rep.ID, "err", err)
	}
	if err := st.FinishReport(ctx, rep.ID, owner, file, failure); err != nil {
		log.Error("report not stored", "report", rep.ID, "err", err)
		return
	}
	log.Info("report built", "report", rep.ID, "from", rep.From, "to", rep.To, "bytes", len(file), "took", time.Since(start).Round(time.Millisecond))
}

// FileName is the download name of a report.
func (r *Report) FileName() string {
	return fmt.Sprintf("homeward-report-%s-%s.xlsx", r.From, r.To)
}

// SizeText is a report's size for people.
func SizeText(lang string, n int) string {
	kb := (n + 1023) / 1024
	return i18n.Digits(lang, strconv.Itoa(kb)) + " KB"
}
