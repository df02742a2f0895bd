// Command matchgen writes a generated registry with known duplicates (the
// same as `homeward bench gen`), for benchmarks run outside the main binary:
//
//	go run ./internal/match/cmd/matchgen -n 1000000 > /tmp/registry.csv
package main

import (
	"context"
	"fmt"
	"os"

	"homeward/internal/match/gen"
)

func main() {
	if err := gen.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
