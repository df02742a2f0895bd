// Package backupcrypt encrypts backups: to a recipient's X25519 public key
// (whose private key is kept offline) or to a passphrase (argon2id), as a
// stream of chunks sealed with ChaCha20-Poly1305, so that a backup of any
// size is encrypted and checked in constant memory.
//
// The file is a header, then chunks. The header names the method and holds
// what the key is derived from (the ephemeral public key, or the salt and
// argon2id parameters); every chunk's associated data is the header, the
// chunk's number and whether it is the last one, so that a changed header,
// a changed, dropped, repeated or reordered chunk, and a file cut short
// (no last chunk) are all refused. Each file's key is fresh (an ephemeral
// key pair or a random salt), so the chunk number is a safe nonce.
package backupcrypt

import (
	"bufio"
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// ChunkSize is the plaintext size of every chunk but the last.
const ChunkSize = 64 << 10

// magic starts every encrypted backup; version 1.
var magic = []byte("HOMEWARD-BACKUP-1\n")

const (
	methodRecipient  = 1
	methodPassphrase = 2
)

// Argon2id parameters for passphrases (RFC 9106's second recommended
// option: 64 MiB, three passes); stored in the header, so they can grow.
const (
	argonTime    = 3
	argonMemory  = 64 << 10 // KiB
	argonThreads = 4
	// maxArgonMemory bounds what a header may ask for (1 GiB), so that a
	// forged file cannot exhaust the restoring machine.
	maxArgonMemory = 1 << 20
	maxArgonTime   = 16
)

// Errors a restore reports. Every refusal of a file (tampered, cut short,
// reordered, or the wrong key) is ErrRefused: an authenticator cannot tell
// them apart, and the message says so.
var (
	ErrNotEncrypted = errors.New("not an encrypted Homeward backup")
	ErrRefused      = errors.New("the backup does not decrypt: wrong key or passphrase, or the file was changed or cut short")
	ErrTooShort     = errors.New("passphrase too short: use at least 12 characters")
)

// IsEncrypted says whether the first bytes of a file are an encrypted
// backup's.
func IsEncrypted(head []byte) bool { return bytes.HasPrefix(head, magic) }

// MagicLen is how many bytes IsEncrypted needs.
var MagicLen = len(magic)

// Key pairs are written as one line of text, a prefix and the key in
// base64, so that a public key can be pasted and a private key is not
// mistaken for one.
const (
	publicPrefix  = "homeward-backup-public-key:"
	privatePrefix = "homeward-backup-private-key:"
)

// GenerateKey makes a recipient key pair and returns the public and the
// private key files' text.
func GenerateKey() (public, private []byte, err error) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	return []byte(publicPrefix + base64.StdEncoding.EncodeToString(k.PublicKey().Bytes()) + "\n"),
		[]byte(privatePrefix + base64.StdEncoding.EncodeToString(k.Bytes()) + "\n"), nil
}

func parseKey(text []byte, prefix string) ([]byte, error) {
	s := strings.TrimSpace(string(text))
	b64, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return nil, fmt.Errorf("not a %s file", strings.TrimSuffix(prefix, ":"))
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("a damaged %s file", strings.TrimSuffix(prefix, ":"))
	}
	return b, nil
}

// Sealer is how a backup is encrypted: to a recipient or a passphrase.
type Sealer struct {
	recipient  *ecdh.PublicKey
	passphrase []byte
}

// ToRecipient encrypts to the public key file's text.
func ToRecipient(publicKey []byte) (*Sealer, error) {
	b, err := parseKey(publicKey, publicPrefix)
	if err != nil {
		return nil, err
	}
	pub, err := ecdh.X25519().NewPublicKey(b)
	if err != nil {
		return nil, err
	}
	return &Sealer{recipient: pub}, nil
}

// WithPassphrase encrypts to a passphrase of at least 12 characters.
func WithPassphrase(p []byte) (*Sealer, error) {
	p = bytes.TrimRight(p, "\r\n")
	if len([]rune(string(p))) < 12 {
		return nil, ErrTooShort
	}
	return &Sealer{passphrase: p}, nil
}

// Opener is the key a backup is decrypted with: the private key file's
// text, or the passphrase.
type Opener struct {
	private    *ecdh.PrivateKey
	passphrase []byte
}

// WithPrivateKey decrypts with the private key file's text.
func WithPrivateKey(privateKey []byte) (*Opener, error) {
	b, err := parseKey(privateKey, privatePrefix)
	if err != nil {
		return nil, err
	}
	k, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return nil, err
	}
	return &Opener{private: k}, nil
}

// OpenWithPassphrase decrypts with a passphrase.
func OpenWithPassphrase(p []byte) *Opener {
	return &Opener{passphrase: bytes.TrimRight(p, "\r\n")}
}

func recipientKey(shared, eph, recipient []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, shared, append(append([]byte{}, eph...), recipient...), "homeward backup v1", chacha20poly1305.KeySize)
}

func passphraseKey(p, salt []byte, t, m uint32, threads uint8) []byte {
	return argon2.IDKey(p, salt, t, m, threads, chacha20poly1305.KeySize)
}

// Encrypt reads the plaintext from r to its end and writes the encrypted
// backup to w.
func (s *Sealer) Encrypt(w io.Writer, r io.Reader) error {
	header := append([]byte{}, magic...)
	var key []byte
	switch {
	case s.recipient != nil:
		eph, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		shared, err := eph.ECDH(s.recipient)
		if err != nil {
			return err
		}
		if key, err = recipientKey(shared, eph.PublicKey().Bytes(), s.recipient.Bytes()); err != nil {
			return err
		}
		header = append(append(header, methodRecipient), eph.PublicKey().Bytes()...)
	default:
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		header = append(append(header, methodPassphrase), salt...)
		header = binary.BigEndian.AppendUint32(header, argonTime)
		header = binary.BigEndian.AppendUint32(header, argonMemory)
		header = append(header, argonThreads)
		key = passphraseKey(s.passphrase, salt, argonTime, argonMemory, argonThreads)
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, ChunkSize+64)
	if _, err := bw.Write(header); err != nil {
		return err
	}
	// Read one chunk ahead, to know which chunk is the last.
	buf, next := make([]byte, ChunkSize), make([]byte, ChunkSize)
	n, err := io.ReadFull(r, buf)
	out := make([]byte, 0, ChunkSize+aead.Overhead())
	for counter := uint64(0); ; counter++ {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
		last := err != nil
		var m int
		var nextErr error
		if !last {
			m, nextErr = io.ReadFull(r, next)
			if nextErr == io.EOF {
				last = true
			} else if nextErr != nil && nextErr != io.ErrUnexpectedEOF {
				return nextErr
			}
		}
		out = aead.Seal(out[:0], nonce(counter), buf[:n], chunkAD(header, counter, last))
		var frame [5]byte
		if last {
			frame[0] = 1
		}
		binary.BigEndian.PutUint32(frame[1:], uint32(len(out)))
		if _, err := bw.Write(frame[:]); err != nil {
			return err
		}
		if _, err := bw.Write(out); err != nil {
			return err
		}
		if last {
			return bw.Flush()
		}
		buf, next, n, err = next, buf, m, nextErr
	}
}

func nonce(counter uint64) []byte {
	n := make([]byte, chacha20poly1305.NonceSize)
	binary.BigEndian.PutUint64(n[4:], counter)
	return n
}

func chunkAD(header []byte, counter uint64, last bool) []byte {
	ad := binary.BigEndian.AppendUint64(append([]byte{}, header...), counter)
	if last {
		return append(ad, 1)
	}
	return append(ad, 0)
}

// Decrypt reads an encrypted backup from r and writes its plaintext to w.
// It fails with ErrNotEncrypted or ErrRefused (wrapped) when the file is
// not one or does not check; what it wrote by then must be thrown away
// (the caller writes to a temporary file and uses it only on success).
func (o *Opener) Decrypt(w io.Writer, r io.Reader) error {
	br := bufio.NewReaderSize(r, ChunkSize+64)
	head := make([]byte, len(magic)+1)
	if _, err := io.ReadFull(br, head); err != nil || !IsEncrypted(head) {
		return ErrNotEncrypted
	}
	header := head
	var key []byte
	switch head[len(magic)] {
	case methodRecipient:
		if o.private == nil {
			return fmt.Errorf("%w: it was encrypted to a recipient key; give the private key file (--key)", ErrRefused)
		}
		eph := make([]byte, 32)
		if _, err := io.ReadFull(br, eph); err != nil {
			return ErrRefused
		}
		header = append(header, eph...)
		pub, err := ecdh.X25519().NewPublicKey(eph)
		if err != nil {
			return ErrRefused
		}
		shared, err := o.private.ECDH(pub)
		if err != nil {
			return ErrRefused
		}
		if key, err = recipientKey(shared, eph, o.private.PublicKey().Bytes()); err != nil {
			return err
		}
	case methodPassphrase:
		if o.passphrase == nil {
			return fmt.Errorf("%w: it was encrypted with a passphrase; give it (--passphrase-file)", ErrRefused)
		}
		rest := make([]byte, 16+4+4+1)
		if _, err := io.ReadFull(br, rest); err != nil {
			return ErrRefused
		}
		header = append(header, rest...)
		t, m, threads := binary.BigEndian.Uint32(rest[16:]), binary.BigEndian.Uint32(rest[20:]), rest[24]
		if t == 0 || t > maxArgonTime || m < 8*uint32(max(threads, 1)) || m > maxArgonMemory || threads == 0 {
			return ErrRefused
		}
		key = passphraseKey(o.passphrase, rest[:16], t, m, threads)
	default:
		return ErrRefused
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return err
	}
	ct := make([]byte, ChunkSize+aead.Overhead())
	pt := make([]byte, 0, ChunkSize)
	for counter := uint64(0); ; counter++ {
		var frame [5]byte
		if _, err := io.ReadFull(br, frame[:]); err != nil {
			return ErrRefused // cut short: no last chunk
		}
		n := binary.BigEndian.Uint32(frame[1:])
		if frame[0] > 1 || n < uint32(aead.Overhead()) || n > uint32(len(ct)) {
			return ErrRefused
		}
		if _, err := io.ReadFull(br, ct[:n]); err != nil {
			return ErrRefused
		}
		last := frame[0] == 1
		if pt, err = aead.Open(pt[:0], nonce(counter), ct[:n], chunkAD(header, counter, last)); err != nil {
			return ErrRefused
		}
		if !last && len(pt) != ChunkSize {
			return ErrRefused
		}
		if last {
			if _, err := br.ReadByte(); err != io.EOF {
				return ErrRefused // bytes after the last chunk
			}
		}
		if _, err := w.Write(pt); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}
