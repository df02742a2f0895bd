// Command testreport reads `go test -json` output on standard input and
// prints what a person needs from it: each package's result, and the output
// of every failed test. CI uses it so that logs stay short and readable.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	out := map[string]*strings.Builder{}
	var failed []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // build errors arrive as plain text
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			b := out[key]
			if b == nil {
				b = &strings.Builder{}
				out[key] = b
			}
			b.WriteString(e.Output)
		case "fail":
			if e.Test != "" {
				failed = append(failed, key)
			} else {
				fmt.Printf("FAIL %s (%.1fs)\n", e.Package, e.Elapsed)
				if b := out[key]; b != nil {
					fmt.Print(b.String())
				}
			}
		case "pass":
			if e.Test == "" {
				fmt.Printf("ok   %s (%.1fs)\n", e.Package, e.Elapsed)
			}
			delete(out, key)
		}
	}
	sort.Strings(failed)
	for _, k := range failed {
		fmt.Printf("\n--- FAIL %s\n%s", k, out[k])
	}
	if len(failed) > 0 {
		os.Exit(1)
	}
}
