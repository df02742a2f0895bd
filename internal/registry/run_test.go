package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"homeward/internal/registry"
)

// importFake is a registry.Service whose ImportRows is fn.
type importFake struct {
	registry.Service
	fn func(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error)
}

func (f importFake) ImportRows(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
	return f.fn(ctx, rows)
}

func importFile(n int) string {
	var b strings.Builder
	b.WriteString("external_id,given_name,family_name,sex,admin_area,destination_country,return_date,return_type\n")
	for i := range n {
		fmt.Fprintf(&b, "E%d,Abdul,Islam,M,BD302602,SA,2026-01-05,deported\n", i)
	}
	return b.String()
}

// RunImport stores batches in the file's order while it reads the next
// one; when a batch fails, reading stops, the failing batch's written rows
// are counted and no later batch is stored.
func TestRunImportStoresBatchesInOrderAndStopsAtAnError(t *testing.T) {
	var calls [][2]int // first and last line of each batch
	boom := errors.New("boom")
	svc := importFake{fn: func(_ context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
		calls = append(calls, [2]int{rows[0].Line, rows[len(rows)-1].Line})
		out := make([]registry.ImportOutcome, len(rows))
		if len(calls) == 2 {
			for i := range 10 {
				out[i] = registry.ImportCreated
			}
			return out, boom
		}
		for i := range out {
			out[i] = registry.ImportCreated
		}
		return out, nil
	}}
	var progressed []int
	rep, err := registry.RunImport(context.Background(), svc, strings.NewReader(importFile(5*registry.ImportBatch)), registry.FormatCSV,
		registry.ImportOptions{Now: time.Now()}, false, nil, "en", func(rows int, _ int64) { progressed = append(progressed, rows) })
	if !errors.Is(err, boom) {
		t.Fatalf("import with a failing batch: %v", err)
	}
	if len(calls) != 2 || calls[0] != [2]int{2, registry.ImportBatch + 1} || calls[1][0] != registry.ImportBatch+2 {
		t.Errorf("batches stored: %v", calls)
	}
	if rep.Created != registry.ImportBatch+10 {
		t.Errorf("created %d, want %d", rep.Created, registry.ImportBatch+10)
	}
	if len(progressed) != 1 || progressed[0] != registry.ImportBatch {
		t.Errorf("progress after %v rows", progressed)
	}
	// Reading stopped at most a batch past the failing one.
	if rep.Rows > 3*registry.ImportBatch {
		t.Errorf("%d rows read after the second batch failed", rep.Rows)
	}
	// Every batch is stored, the last one short.
	calls = nil
	ok := importFake{fn: func(_ context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
		calls = append(calls, [2]int{rows[0].Line, rows[len(rows)-1].Line})
		out := make([]registry.ImportOutcome, len(rows))
		for i := range out {
			out[i] = registry.ImportUnchanged
		}
		return out, nil
	}}
	n := 2*registry.ImportBatch + 7
	rep, err = registry.RunImport(context.Background(), ok, strings.NewReader(importFile(n)), registry.FormatCSV, registry.ImportOptions{Now: time.Now()}, false, nil, "en", nil)
	if err != nil || rep.Unchanged != n || rep.Rows != n || len(calls) != 3 || calls[2] != [2]int{2*registry.ImportBatch + 2, n + 1} {
		t.Errorf("import of %d rows: %+v, %v; batches %v", n, rep, err, calls)
	}
}

// A panic while storing a batch is raised again in RunImport's caller,
// which may recover it (the web import does).
func TestRunImportPanicReachesTheCaller(t *testing.T) {
	svc := importFake{fn: func(context.Context, []*registry.ImportRow) ([]registry.ImportOutcome, error) { panic("boom") }}
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want the panic of ImportRows", p)
		}
	}()
	_, _ = registry.RunImport(context.Background(), svc, strings.NewReader(importFile(3*registry.ImportBatch)), registry.FormatCSV, registry.ImportOptions{Now: time.Now()}, false, nil, "en", nil)
	t.Error("RunImport returned")
}
