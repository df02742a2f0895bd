package registry

import (
	"context"
	"io"
)

// ImportReport sums up an import (or a dry run).
type ImportReport struct {
	DryRun    bool `json:"dry_run"`
	Rows      int  `json:"rows"`
	Valid     int  `json:"valid"`
	Invalid   int  `json:"invalid"`
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	// MergedLines lists rows whose person was merged into another and which
	// were therefore not applied.
	MergedLines []int           `json:"merged_lines,omitempty"`
	Warnings    []ImportWarning `json:"warnings"`
	// Errors lists row problems, up to MaxReportedErrors; ErrorsTotal counts all.
	Errors      []RowError `json:"errors"`
	ErrorsTotal int        `json:"errors_total"`
}

// MaxReportedErrors bounds the errors kept in an ImportReport; the error
// report file has them all.
const MaxReportedErrors = 1000

// MaxImportBytes bounds an uploaded import file, on every edge (API, web).
const MaxImportBytes = 200 << 20

// ImportBatch is how many valid rows are handed to Service.ImportRows at a
// time; the store writes them in shorter transactions (100 rows in sqldb),
// so that registrations queued behind an import wait little.
const ImportBatch = 500

// RunImport reads an import file and, unless dryRun, stores its valid rows
// through svc in batches (each batch one transaction). Invalid rows are
// written as an error report (see ErrorReport) to errOut in lang when
// errOut is not nil, and never stop the valid
// ones. progress, if set, is called after every batch with the rows and
// bytes read so far (for a bar over the file's size). Memory stays flat
// whatever the file's length.
func RunImport(ctx context.Context, svc Service, r io.Reader, f Format, opt ImportOptions, dryRun bool, errOut io.Writer, lang string, progress func(rows int, bytes int64)) (*ImportReport, error) {
	cr := &countingReader{r: r}
	ir, err := NewImportReader(cr, f, opt)
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	var errs *ErrorReport
	if errOut != nil {
		if errs, err = NewErrorReport(errOut, ir.Header(), lang); err != nil {
			return nil, err
		}
	}
	rep := &ImportReport{DryRun: dryRun, Warnings: ir.Warnings(), Errors: []RowError{}}
	batch := make([]*ImportRow, 0, ImportBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if !dryRun {
			outcomes, err := svc.ImportRows(ctx, batch)
			// Rows written before an error are counted all the same.
			for k, o := range outcomes {
				switch o {
				case ImportMerged:
					rep.MergedLines = append(rep.MergedLines, batch[k].Line)
				case ImportCreated:
					rep.Created++
				case ImportUpdated:
					rep.Updated++
				case ImportUnchanged:
					rep.Unchanged++
				}
			}
			if err != nil {
				return err
			}
		}
		batch = batch[:0]
		if progress != nil {
			progress(rep.Rows, cr.n)
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		row, err := ir.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return rep, err
		}
		rep.Rows++
		if !row.OK() {
			rep.Invalid++
			rep.ErrorsTotal += len(row.Errors)
			for _, e := range row.Errors {
				if len(rep.Errors) < MaxReportedErrors {
					rep.Errors = append(rep.Errors, e)
				}
			}
			if errs != nil {
				if err := errs.Add(row); err != nil {
					return rep, err
				}
			}
			continue
		}
		rep.Valid++
		batch = append(batch, row)
		if len(batch) == ImportBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if errs != nil {
		if err := errs.Flush(); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
