package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"

	"homeward/internal/credential"
)

// (This file's name sorts after main.go, whose init makes the command table.)
func init() {
	commands["credential"] = command{"credential verify [--did-document DID.json] FILE: check a certificate's signature offline", cmdCredential}
}

// cmdCredential verifies a verifiable credential (an eddsa-jcs-2022 Data
// Integrity proof by a did:key issuer) without a server or a network: an
// employer or an embassy can check a returnee's certificate with the
// file alone. A did:web issuer's key is looked up in the DID document given
// with --did-document (saved from https://<host>/orgs/<id>/did.json): the
// command never fetches one.
func cmdCredential(_ context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	var didDoc []byte
	if len(rest) == 3 && (rest[0] == "--did-document" || rest[0] == "-did-document") {
		b, err := os.ReadFile(rest[1])
		if err != nil {
			return err
		}
		didDoc, rest = b, rest[2:]
	}
	if sub != "verify" || len(rest) != 1 {
		fmt.Fprintln(p.stderr, "Usage: homeward credential verify [--did-document DID.json] FILE.json")
		return helpOrUsage(sub, "credential needs a subcommand and a file: verify [--did-document DID.json] FILE.json")
	}
	resolve := func(vm string) (ed25519.PublicKey, error) {
		if !strings.HasPrefix(vm, "did:web:") {
			return credential.ResolveDIDKey(vm)
		}
		if didDoc == nil {
			return nil, fmt.Errorf("issued by a did:web (%s): give its DID document with --did-document (this command makes no network request)", vm)
		}
		return credential.ResolveInDocument(didDoc, vm)
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
	v, err := credential.Verify(doc, resolve)
	if err != nil {
		return fmt.Errorf("%s: NOT VALID: %w", rest[0], err)
	}
	fmt.Fprintf(p.stdout, "%s: valid; signed by %s at %s\n", rest[0], v.VerificationMethod, v.Created)
	return nil
}
