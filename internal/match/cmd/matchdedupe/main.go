// Command matchdedupe runs `homeward dedupe` on its own, for benchmarks
// before the command is wired into the main binary:
//
//	go run ./internal/match/cmd/matchdedupe registry.csv > pairs.csv
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"homeward/internal/match/dedupecli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := dedupecli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
