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
// time; the store writes them in chunks (100 rows in sqldb), so that
// registrations queued behind an import wait little for one, and commits
// several chunks together while nothing else waits (all of a batch at
// most). Two batches are in memory at once (one read, one written): 2,000
// rows are a few MB.
const ImportBatch = 2000

// RunImport reads an import file and, unless dryRun, stores its valid rows
// through svc in batches (each batch one transaction). Invalid rows are
// written as an error report (see ErrorReport) to errOut in lang when
// errOut is not nil, and never stop the valid
// ones. progress, if set, is called after every batch with the rows and
// bytes read so far (for a bar over the file's size). Memory stays flat
// whatever the file's length: the next batch is read while one is stored
// (see importWriter), never more. Without opt.DefaultCountry, a svc that
// tells the actor's country (ActorCountry) gives it.
func RunImport(ctx context.Context, svc Service, r io.Reader, f Format, opt ImportOptions, dryRun bool, errOut io.Writer, lang string, progress func(rows int, bytes int64)) (rep *ImportReport, err error) {
	if c, ok := svc.(interface {
		ActorCountry(context.Context) (string, error)
	}); ok && opt.DefaultCountry == "" {
		// The importing organisation's country reads local numbers and
		// issues documents, and its areas are the ones allowed.
		if opt.DefaultCountry, err = c.ActorCountry(ctx); err != nil {
			return nil, err
		}
	}
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
	rep = &ImportReport{DryRun: dryRun, Warnings: ir.Warnings(), Errors: []RowError{}}
	var w *importWriter
	if !dryRun {
		w = startImportWriter(ctx, svc, rep, progress)
		// Whatever ends the reading, the batch being stored is waited for:
		// its rows are counted, and its error (or panic) is the import's.
		defer func() {
			if werr := w.finish(); err == nil {
				err = werr
			}
		}()
	}
	batch := make([]*ImportRow, 0, ImportBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if w != nil {
			if err := w.write(batch, rep.Rows, cr.n); err != nil {
				return err
			}
			batch = make([]*ImportRow, 0, ImportBatch)
			return nil
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

// importWriter stores an import's batches through Service.ImportRows in
// their order, in a goroutine of its own, so that the file's next batch is
// read and checked while one is written. It counts the outcomes in the
// report (fields the reader does not touch) and calls progress after each
// batch, from its goroutine.
type importWriter struct {
	batches chan importBatch
	done    chan struct{}
	err     error // the first batch's error; set before done closes
	panicV  any   // a panic of Service.ImportRows, raised again by finish
	closed  bool
}

type importBatch struct {
	rows  []*ImportRow
	read  int   // rows read when the batch was full
	bytes int64 // bytes read then
}

func startImportWriter(ctx context.Context, svc Service, rep *ImportReport, progress func(rows int, bytes int64)) *importWriter {
	w := &importWriter{batches: make(chan importBatch), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer func() {
			if p := recover(); p != nil {
				w.panicV = p
			}
		}()
		for b := range w.batches {
			outcomes, err := svc.ImportRows(ctx, b.rows)
			// Rows written before an error are counted all the same.
			for k, o := range outcomes {
				switch o {
				case ImportMerged:
					rep.MergedLines = append(rep.MergedLines, b.rows[k].Line)
				case ImportCreated:
					rep.Created++
				case ImportUpdated:
					rep.Updated++
				case ImportUnchanged:
					rep.Unchanged++
				}
			}
			if err != nil {
				w.err = err
				return
			}
			if progress != nil {
				progress(b.read, b.bytes)
			}
		}
	}()
	return w
}

// write hands a full batch to the writer, waiting while it stores the one
// before; it returns the writer's error once it has stopped on one.
func (w *importWriter) write(rows []*ImportRow, read int, bytes int64) error {
	select {
	case w.batches <- importBatch{rows, read, bytes}:
		return nil
	case <-w.done:
		if p := w.panicV; p != nil {
			w.panicV = nil // raised once, here
			panic(p)
		}
		return w.err
	}
}

// finish waits for the batches handed over to be stored and returns the
// writer's error (raising its panic again, in the caller's goroutine).
func (w *importWriter) finish() error {
	if !w.closed {
		w.closed = true
		close(w.batches)
	}
	<-w.done
	if w.panicV != nil {
		panic(w.panicV)
	}
	return w.err
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
