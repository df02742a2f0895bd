package httpx

import (
	"net/http"
	"time"

	"homeward"
	"homeward/internal/registry"
)

// StreamExport writes an export of f as CSV or XLSX to w, streaming rows as
// they are read; the file is named for now, the current time in the
// instance's time zone. The web UI uses it too.
func StreamExport(w http.ResponseWriter, r *http.Request, svc registry.Service, f registry.SearchFilter, format string, hxl bool, now time.Time) error {
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		return homeward.FieldErrorf("format", "error.field.invalid_choice", "%q is not one of the allowed values.", format)
	}
	name := "homeward-people-" + now.Format("20060102-1504") + "." + format
	var ex registry.Exporter
	started := false
	start := func() error {
		started = true
		if format == "xlsx" {
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		} else {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		var err error
		opt := registry.ExportOptions{HXL: hxl}
		if format == "xlsx" {
			ex, err = registry.NewXLSXExporter(w, opt)
		} else {
			ex, err = registry.NewCSVExporter(w, opt)
		}
		return err
	}
	err := svc.Export(r.Context(), f, func(rec *registry.ExportRecord) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		return ex.Write(rec)
	})
	if err != nil {
		if started {
			// Headers are gone; the truncated file is the only signal left.
			return nil
		}
		return err
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	return ex.Close()
}
