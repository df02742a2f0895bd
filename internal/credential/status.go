package credential

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// StatusListBits is the length of a revocation status list: the W3C
// Bitstring Status List's minimum (16 KiB), so that a list does not tell
// how many credentials its issuer made.
const StatusListBits = 131072

// StatusEntry places a credential in its issuer's revocation list.
type StatusEntry struct {
	ListURL string // the status list credential's URL
	Index   int
}

func (s *StatusEntry) document() map[string]any {
	return map[string]any{
		"id":                   s.ListURL + "#" + strconv.Itoa(s.Index),
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      strconv.Itoa(s.Index),
		"statusListCredential": s.ListURL,
	}
}

// EncodeStatusList returns the encodedList of a status list with the
// given indexes set: the bitstring (index 0 the first byte's highest bit),
// GZIP-compressed, base64url without padding, multibase prefix "u".
func EncodeStatusList(set []int) (string, error) {
	bits := make([]byte, StatusListBits/8)
	for _, i := range set {
		if i < 0 || i >= StatusListBits {
			return "", fmt.Errorf("credential: status index %d outside the list", i)
		}
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(b.Bytes()), nil
}

// StatusBit reads bit index of an encodedList.
func StatusBit(encoded string, index int) (bool, error) {
	if len(encoded) < 2 || encoded[0] != 'u' || len(encoded) > 64<<10 {
		return false, errors.New("credential: not a multibase base64url status list")
	}
	z, err := base64.RawURLEncoding.DecodeString(encoded[1:])
	if err != nil {
		return false, fmt.Errorf("credential: status list: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return false, fmt.Errorf("credential: status list: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, 1<<20+1))
	if err != nil || len(bits) > 1<<20 {
		return false, errors.New("credential: status list: not a bounded GZIP bitstring")
	}
	if index < 0 || index/8 >= len(bits) {
		return false, fmt.Errorf("credential: status index %d outside the list", index)
	}
	return bits[index/8]&(0x80>>(index%8)) != 0, nil
}

// StatusListCredential writes and signs the issuer's revocation list as a
// BitstringStatusListCredential at url.
func StatusListCredential(url string, key ed25519.PrivateKey, revoked []int, at time.Time) ([]byte, error) {
	enc, err := EncodeStatusList(revoked)
	if err != nil {
		return nil, err
	}
	doc, err := json.Marshal(map[string]any{
		"@context":  []string{"https://www.w3.org/ns/credentials/v2"},
		"id":        url,
		"type":      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    DIDKey(key.Public().(ed25519.PublicKey)),
		"validFrom": at.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": url + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": enc,
		},
	})
	if err != nil {
		return nil, err
	}
	return Sign(doc, key, at)
}
