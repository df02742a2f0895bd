// Command gen writes Homeward's built-in assessment forms as XLSForm
// workbooks (internal/form/builtin/*.xlsx), the same format an M&E officer
// uploads, so that the built-ins exercise the same reader and can be opened,
// reviewed and adapted in Excel. Run it from the module root after changing a
// form here, and commit the regenerated files:
//
//	go run ./internal/form/builtin/gen
//
// A test in this package checks that the committed files match these
// definitions.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "internal/form/builtin", "output directory")
	flag.Parse()
	for _, f := range Forms() {
		b, err := f.XLSX()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", f.ID, err)
			os.Exit(1)
		}
		p := filepath.Join(*dir, f.ID+".xlsx")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", p)
	}
}
