// Package credential secures verifiable credentials (W3C VC Data Model 2.0)
// with a Data Integrity proof of the eddsa-jcs-2022 cryptosuite (W3C
// "Data Integrity EdDSA Cryptosuites v1.0"): the credential and the proof's
// options are canonicalised with JCS (RFC 8785), hashed with SHA-256 and
// signed with Ed25519; issuers are identified by did:key. JCS is chosen
// over RDF canonicalisation (eddsa-rdfc-2022) because it needs no JSON-LD
// processing, so no context documents are fetched or pinned, and a
// verifier anywhere can check a certificate with a JSON library and
// Ed25519; the credential still carries its @context for JSON-LD readers.
package credential

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Cryptosuite is the Data Integrity cryptosuite used here.
const Cryptosuite = "eddsa-jcs-2022"

// multicodec prefixes (varint) of Ed25519 public and private keys.
var (
	ed25519Pub  = []byte{0xed, 0x01}
	ed25519Priv = []byte{0x80, 0x26}
)

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58 encodes b in the Bitcoin alphabet.
func base58(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, radix := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// unbase58 decodes the Bitcoin alphabet.
func unbase58(s string) ([]byte, error) {
	n := new(big.Int)
	radix := big.NewInt(58)
	for _, c := range s {
		i := strings.IndexRune(alphabet, c)
		if i < 0 {
			return nil, fmt.Errorf("credential: %q is not base58", c)
		}
		n.Mul(n, radix).Add(n, big.NewInt(int64(i)))
	}
	out := n.Bytes()
	for _, c := range s {
		if c != '1' {
			break
		}
		out = append([]byte{0}, out...)
	}
	return out, nil
}

// Multibase writes b as base58btc multibase ("z…").
func Multibase(b []byte) string { return "z" + base58(b) }

// ParseMultibase reads a base58btc multibase string.
func ParseMultibase(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "z") || len(s) > 200 {
		return nil, errors.New("credential: not a base58btc multibase value")
	}
	return unbase58(s[1:])
}

// PublicKeyMultibase is an Ed25519 public key as a Multikey value.
func PublicKeyMultibase(pub ed25519.PublicKey) string {
	return Multibase(append(append([]byte{}, ed25519Pub...), pub...))
}

// PrivateKeyFromMultibase reads an Ed25519 private key (its 32-byte seed)
// written as a Multikey value ("z3u2…").
func PrivateKeyFromMultibase(s string) (ed25519.PrivateKey, error) {
	b, err := ParseMultibase(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.SeedSize || !bytes.HasPrefix(b, ed25519Priv) {
		return nil, errors.New("credential: not an Ed25519 private key")
	}
	return ed25519.NewKeyFromSeed(b[2:]), nil
}

// PrivateKeyMultibase writes an Ed25519 private key (its seed) as a
// multibase Multikey, the inverse of PrivateKeyFromMultibase.
func PrivateKeyMultibase(key ed25519.PrivateKey) string {
	return Multibase(append(append([]byte{}, ed25519Priv...), key.Seed()...))
}

// DIDKey is the did:key identifier of an Ed25519 public key.
func DIDKey(pub ed25519.PublicKey) string { return "did:key:" + PublicKeyMultibase(pub) }

// VerificationMethod is the did:key's key as a verification method
// ("did:key:z6Mk…#z6Mk…").
func VerificationMethod(pub ed25519.PublicKey) string {
	m := PublicKeyMultibase(pub)
	return "did:key:" + m + "#" + m
}

// ResolveDIDKey returns the Ed25519 key of a did:key verification method;
// other methods are refused (a caller may resolve did:web itself).
func ResolveDIDKey(vm string) (ed25519.PublicKey, error) {
	did, frag, _ := strings.Cut(vm, "#")
	m, ok := strings.CutPrefix(did, "did:key:")
	if !ok || (frag != "" && frag != m) {
		return nil, fmt.Errorf("credential: %q is not a did:key verification method", vm)
	}
	b, err := ParseMultibase(m)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.PublicKeySize || !bytes.HasPrefix(b, ed25519Pub) {
		return nil, errors.New("credential: the did:key is not an Ed25519 key")
	}
	return ed25519.PublicKey(b[2:]), nil
}

// Proof is a Data Integrity proof.
type Proof struct {
	Type               string   `json:"type"`
	Cryptosuite        string   `json:"cryptosuite"`
	Created            string   `json:"created,omitempty"`
	VerificationMethod string   `json:"verificationMethod"`
	ProofPurpose       string   `json:"proofPurpose"`
	Context            []string `json:"@context,omitempty"`
	ProofValue         string   `json:"proofValue,omitempty"`
}

// MaxDocument bounds a credential read for verification.
const MaxDocument = 256 << 10

// hashData is SHA-256 of the canonical proof options followed by SHA-256
// of the canonical document (the cryptosuite's "hash data").
func hashData(doc map[string]any, opts Proof) ([]byte, error) {
	optJSON, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	canonOpts, err := Canonical(optJSON)
	if err != nil {
		return nil, err
	}
	canonDoc, err := CanonicalValue(doc)
	if err != nil {
		return nil, err
	}
	h1, h2 := sha256.Sum256(canonOpts), sha256.Sum256(canonDoc)
	return append(h1[:], h2[:]...), nil
}

// Sign adds an eddsa-jcs-2022 proof for assertion by key to doc (a JSON
// object without a proof) and returns the secured document. The proof
// carries the document's @context, as the cryptosuite requires.
func Sign(doc []byte, key ed25519.PrivateKey, created time.Time) ([]byte, error) {
	return SignAs(doc, key, VerificationMethod(key.Public().(ed25519.PublicKey)), created)
}

// SignAs is Sign with the proof naming verification method vm (a did:web
// key, as VerificationMethodOf gives) rather than the key's did:key.
func SignAs(doc []byte, key ed25519.PrivateKey, vm string, created time.Time) ([]byte, error) {
	return signAs(doc, key, vm, created, true)
}

// signAs signs doc; checkTerms false skips CheckTerms, only for tests that
// show an outside verifier refusing what Sign refuses.
func signAs(doc []byte, key ed25519.PrivateKey, vm string, created time.Time, checkTerms bool) ([]byte, error) {
	m, err := decodeObject(doc)
	if err != nil {
		return nil, err
	}
	if _, ok := m["proof"]; ok {
		return nil, errors.New("credential: the document already has a proof")
	}
	// Refused rather than signed: a term the contexts do not define would
	// be dropped by a JSON-LD verifier (safe mode refuses the document).
	if err := CheckTerms(m); checkTerms && err != nil {
		return nil, fmt.Errorf("credential: refusing to sign: %w", err)
	}
	opts := Proof{Type: "DataIntegrityProof", Cryptosuite: Cryptosuite, Created: created.UTC().Format(time.RFC3339),
		VerificationMethod: vm, ProofPurpose: "assertionMethod", Context: contexts(m)}
	data, err := hashData(m, opts)
	if err != nil {
		return nil, err
	}
	opts.ProofValue = Multibase(ed25519.Sign(key, data))
	m["proof"] = opts
	return json.Marshal(m)
}

// Verified is what a verified document says about its proof.
type Verified struct {
	Document           map[string]any
	VerificationMethod string
	Created            string
}

// Verify checks the eddsa-jcs-2022 proof of a secured document; resolve
// gives the public key of the proof's verification method (nil:
// ResolveDIDKey). Any change to the document or its proof fails.
func Verify(secured []byte, resolve func(vm string) (ed25519.PublicKey, error)) (*Verified, error) {
	if len(secured) > MaxDocument {
		return nil, fmt.Errorf("credential: larger than %d bytes", MaxDocument)
	}
	if resolve == nil {
		resolve = ResolveDIDKey
	}
	m, err := decodeObject(secured)
	if err != nil {
		return nil, err
	}
	raw, ok := m["proof"]
	if !ok {
		return nil, errors.New("credential: no proof")
	}
	pj, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var p Proof
	dec := json.NewDecoder(bytes.NewReader(pj))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("credential: the proof: %w", err)
	}
	if p.Type != "DataIntegrityProof" || p.Cryptosuite != Cryptosuite || p.ProofPurpose != "assertionMethod" {
		return nil, errors.New("credential: not an eddsa-jcs-2022 assertion proof")
	}
	if doc := contexts(m); p.Context != nil && (len(p.Context) > len(doc) || !slices.Equal(doc[:len(p.Context)], p.Context)) {
		return nil, errors.New("credential: the proof's @context does not match the document's")
	}
	sig, err := ParseMultibase(p.ProofValue)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, errors.New("credential: the proof value is not an Ed25519 signature")
	}
	pub, err := resolve(p.VerificationMethod)
	if err != nil {
		return nil, err
	}
	delete(m, "proof")
	opts := p
	opts.ProofValue = ""
	data, err := hashData(m, opts)
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(pub, data, sig) {
		return nil, errors.New("credential: the signature does not match")
	}
	return &Verified{Document: m, VerificationMethod: p.VerificationMethod, Created: p.Created}, nil
}

func decodeObject(doc []byte) (map[string]any, error) {
	if _, err := Canonical(doc); err != nil { // duplicates, trailing data
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("credential: not a JSON object")
	}
	return m, nil
}

// contexts returns the document's @context as strings (nil when it has
// none or a context is not a URL).
func contexts(m map[string]any) []string {
	list, ok := m["@context"].([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, c := range list {
		s, ok := c.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}
