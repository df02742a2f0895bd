package form

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"homeward"
)

// ImportCLI implements `homeward forms import [-json] FILE.xlsx`: it reads
// and checks an XLSForm and prints a summary (or, with -json, the form model
// as stored), without touching storage. Problems are printed one per line as
// "survey!C7: message" on stderr and the returned error is non-nil.
func ImportCLI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forms import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the parsed form as JSON instead of a summary")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: homeward forms import [-json] FILE.xlsx")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("forms import: give exactly one .xlsx file")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	file, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer file.Close()
	f, err := ParseXLSForm(file)
	if err != nil {
		PrintErrors(stderr, err)
		return fmt.Errorf("forms import: %s is not a valid XLSForm", fs.Arg(0))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	}
	Summarize(stdout, f)
	return nil
}

// PrintErrors writes the field errors of err one per line.
func PrintErrors(w io.Writer, err error) {
	var e *homeward.Error
	if !errors.As(err, &e) {
		fmt.Fprintln(w, err)
		return
	}
	if len(e.Fields) == 0 {
		fmt.Fprintln(w, e.Message)
	}
	for _, fe := range e.Fields {
		msg := fe.Message
		if !strings.HasPrefix(msg, fe.Field) {
			msg = fe.Field + ": " + msg
		}
		fmt.Fprintln(w, msg)
	}
}

// Summarize writes a human-readable overview of f: identity, languages,
// question counts by type, choice lists, skip logic and flags.
func Summarize(w io.Writer, f *Form) {
	fmt.Fprintf(w, "form %s version %s: %s\n", f.ID, f.Version, f.Title.Get(f.DefaultLanguage, "en"))
	fmt.Fprintf(w, "languages: %s (default %s)\n", strings.Join(f.Languages, ", "), f.DefaultLanguage)
	counts := map[Type]int{}
	relevant, constraints := 0, 0
	var flags []string
	for _, q := range f.Questions {
		counts[q.Type]++
		if !q.Relevant.IsZero() {
			relevant++
		}
		if !q.Constraint.IsZero() {
			constraints++
		}
		if q.Type == TypeCalculate && strings.HasPrefix(q.Name, FlagPrefix) {
			sev := q.Severity
			if sev == "" {
				sev = "high"
			}
			flags = append(flags, fmt.Sprintf("%s (%s): %s", q.Name, sev, q.Label.Get(f.DefaultLanguage, "en")))
		}
	}
	var parts []string
	for t, n := range counts {
		if t != TypeEndGroup {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	sort.Strings(parts)
	fmt.Fprintf(w, "questions: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "choice lists: %d; with skip logic: %d; with constraints: %d\n", len(f.Lists), relevant, constraints)
	for _, fl := range flags {
		fmt.Fprintf(w, "flag %s\n", fl)
	}
}
