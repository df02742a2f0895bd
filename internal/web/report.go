package web

import (
	"net/http"
	"strconv"
	"time"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/report"
)

// routesReport registers the donor reports: request one for a period,
// follow it while it is built in the background, download it, and turn
// the monthly report on or off.
func (w *Web) routesReport() {
	w.handle("GET /reports", w.reports, true)
	w.handle("POST /reports", w.requestReport, true)
	w.handle("POST /reports/schedule", w.reportSchedule, true)
	w.handle("GET /reports/{id}/download", w.reportDownload, true)
	w.flash("report.ui.requested", "report.ui.schedule_on", "report.ui.schedule_off")
}

type reportRow struct {
	ID, Period, Requested, State, Size string
	PDFSize                            string // "": no PDF
	Progress                           int
	Done, Pending, Scheduled           bool
}

type reportsPage struct {
	From, To string
	Monthly  bool
	Pending  bool
	Rows     []reportRow
}

func (w *Web) reports(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "report.ui.title", nil)
	now := w.clock(r).Local()
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -1, 0)
	d := &reportsPage{From: last.AddDate(0, -11, 0).Format("2006-01"), To: last.Format("2006-01")}
	return w.showReports(rw, r, p, d, http.StatusOK)
}

func (w *Web) showReports(rw http.ResponseWriter, r *http.Request, p *page, d *reportsPage, status int) error {
	list, err := w.svc.Reports.Reports(r.Context())
	if err != nil {
		return err
	}
	if d.Monthly, err = w.svc.Reports.ReportSchedule(r.Context()); err != nil {
		return err
	}
	loc := w.clock(r).Location()
	for _, rep := range list {
		row := reportRow{ID: rep.ID, Requested: timeText(p.Lang, loc, rep.RequestedAt), Progress: rep.Progress, Scheduled: rep.Scheduled,
			Period: i18n.T(p.Lang, "report.ui.period", map[string]any{"from": i18n.Digits(p.Lang, string(rep.From)), "to": i18n.Digits(p.Lang, string(rep.To))}),
			State:  i18n.T(p.Lang, "report.state."+rep.State, map[string]any{"percent": i18n.Number(p.Lang, rep.Progress)})}
		switch rep.State {
		case report.Done:
			row.Done, row.Size = true, report.SizeText(p.Lang, rep.Size)
			if rep.PDFSize > 0 {
				row.PDFSize = report.SizeText(p.Lang, rep.PDFSize)
			}
		case report.Queued, report.Running:
			row.Pending, d.Pending = true, true
		}
		d.Rows = append(d.Rows, row)
	}
	p.Data = d
	return w.render(rw, status, "reports", p)
}

func (w *Web) requestReport(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "report.ui.title", nil)
	d := &reportsPage{From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	from, to, err := indicator.ParseRange(d.From, d.To, w.clock(r).Local())
	if err == nil {
		_, err = w.svc.Reports.RequestReport(r.Context(), from, to, p.Lang)
	}
	if err != nil {
		status, err := refusal(p, err, nil)
		if err != nil {
			return err
		}
		return w.showReports(rw, r, p, d, status)
	}
	if w.ReportRequested != nil {
		w.ReportRequested()
	}
	http.Redirect(rw, r, "/reports?ok=report.ui.requested", http.StatusSeeOther)
	return nil
}

func (w *Web) reportSchedule(rw http.ResponseWriter, r *http.Request) error {
	on, _ := strconv.ParseBool(r.PostFormValue("monthly"))
	if err := w.svc.Reports.SetReportSchedule(r.Context(), on, w.newPage(r, "report.ui.title", nil).Lang); err != nil {
		return err
	}
	flash := "report.ui.schedule_off"
	if on {
		flash = "report.ui.schedule_on"
	}
	http.Redirect(rw, r, "/reports?ok="+flash, http.StatusSeeOther)
	return nil
}

func (w *Web) reportDownload(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if a == nil {
		return notFound()
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	rep, file, err := w.svc.Reports.ReportFile(r.Context(), r.PathValue("id"), format)
	if err != nil {
		return err
	}
	types := map[string]string{"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
	rw.Header().Set("Content-Type", types[format])
	rw.Header().Set("Content-Disposition", `attachment; filename="`+rep.FileName(format)+`"`)
	rw.Header().Set("Content-Length", strconv.Itoa(len(file)))
	_, err = rw.Write(file)
	return err
}
