// Command febrl2import converts a FEBRL benchmark file to Homeward's import
// CSV format (without soc_sec_id), writing to standard output:
//
//	go run ./internal/match/cmd/febrl2import internal/match/testdata/febrl4a.csv > 4a.csv
package main

import (
	"context"
	"fmt"
	"os"

	"homeward/internal/match/febrl"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: febrl2import FEBRL.csv > IMPORT.csv")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "febrl2import:", err)
		os.Exit(1)
	}
	defer f.Close()
	if err := febrl.Convert(context.Background(), f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "febrl2import:", err)
		os.Exit(1)
	}
}
