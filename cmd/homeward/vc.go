package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"homeward/internal/credential"
)

// (This file's name sorts after main.go, whose init makes the command table.)
func init() {
	commands["credential"] = command{"credential verify FILE: check a certificate's signature offline", cmdCredential}
}

// cmdCredential verifies a verifiable credential (an eddsa-jcs-2022 Data
// Integrity proof by a did:key issuer) without a server or a network: an
// employer or an embassy can check a returnee's certificate with the
// file alone.
func cmdCredential(_ context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	if sub != "verify" || len(rest) != 1 {
		fmt.Fprintln(p.stderr, "Usage: homeward credential verify FILE.json")
		return helpOrUsage(sub, "credential needs a subcommand and a file: verify FILE.json")
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	// Read at most one byte more than a credential may be, so that an
	// oversized file is refused without being read whole.
	doc, err := io.ReadAll(io.LimitReader(f, credential.MaxDocument+1))
	if err != nil {
		return err
	}
	v, err := credential.Verify(doc, nil)
	if err != nil {
		return fmt.Errorf("%s: NOT VALID: %w", rest[0], err)
	}
	fmt.Fprintf(p.stdout, "%s: valid; signed by %s at %s\n", rest[0], v.VerificationMethod, v.Created)
	return nil
}
