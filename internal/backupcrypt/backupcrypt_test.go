package backupcrypt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func keys(t *testing.T) (*Sealer, *Opener) {
	t.Helper()
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ToRecipient(pub)
	if err != nil {
		t.Fatal(err)
	}
	o, err := WithPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, o
}

func plaintext(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func seal(t *testing.T, s *Sealer, pt []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := s.Encrypt(&out, bytes.NewReader(pt)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func open(o *Opener, ct []byte) ([]byte, error) {
	var out bytes.Buffer
	err := o.Decrypt(&out, bytes.NewReader(ct))
	return out.Bytes(), err
}

// Every size round-trips, to a recipient and to a passphrase: empty, one
// byte, a chunk less one, exactly one and two chunks, and some chunks and
// a bit; the ciphertext never holds the plaintext.
func TestRoundTrip(t *testing.T) {
	rs, ro := keys(t)
	ps, err := WithPassphrase([]byte("correct horse battery staple\n"))
	if err != nil {
		t.Fatal(err)
	}
	po := OpenWithPassphrase([]byte("correct horse battery staple"))
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, 2 * ChunkSize, 3*ChunkSize + 123} {
		for name, k := range map[string]struct {
			s *Sealer
			o *Opener
		}{"recipient": {rs, ro}, "passphrase": {ps, po}} {
			pt := plaintext(n)
			ct := seal(t, k.s, pt)
			if n >= 64 && bytes.Contains(ct, pt[:64]) {
				t.Errorf("%s %d: plaintext in the ciphertext", name, n)
			}
			got, err := open(k.o, ct)
			if err != nil || !bytes.Equal(got, pt) {
				t.Errorf("%s %d bytes: %v, %d bytes back", name, n, err, len(got))
			}
		}
	}
	if _, err := WithPassphrase([]byte("short")); !errors.Is(err, ErrTooShort) {
		t.Errorf("short passphrase: %v", err)
	}
}

// chunks splits an encrypted file into its header and its framed chunks.
func chunks(t *testing.T, ct []byte) (header []byte, frames [][]byte) {
	t.Helper()
	i := len(magic) + 1 + 32 // a recipient's header
	header = ct[:i]
	for i < len(ct) {
		n := int(binary.BigEndian.Uint32(ct[i+1:]))
		frames = append(frames, ct[i:i+5+n])
		i += 5 + n
	}
	return header, frames
}

// Wrong keys, changed bytes anywhere, a file cut anywhere, chunks dropped,
// repeated or reordered, a last-chunk flag moved, trailing bytes, an empty
// file and a plain file: all refused.
func TestRefusals(t *testing.T) {
	s, o := keys(t)
	_, other := keys(t)
	pt := plaintext(3*ChunkSize + 10)
	ct := seal(t, s, pt)
	header, frames := chunks(t, ct)
	if len(frames) != 4 {
		t.Fatalf("%d chunks", len(frames))
	}
	join := func(fs ...[]byte) []byte { return bytes.Join(append([][]byte{header}, fs...), nil) }
	flipped := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 0x40
		return c
	}
	lastFlag := func(f []byte, v byte) []byte {
		c := bytes.Clone(f)
		c[0] = v
		return c
	}
	ps, _ := WithPassphrase([]byte("correct horse battery staple"))
	pct := seal(t, ps, pt[:100])
	cases := map[string]struct {
		ct []byte
		o  *Opener
	}{
		"wrong private key":         {ct, other},
		"passphrase for recipient":  {ct, OpenWithPassphrase([]byte("correct horse battery staple"))},
		"wrong passphrase":          {pct, OpenWithPassphrase([]byte("incorrect horse battery staple"))},
		"key for passphrase":        {pct, o},
		"flipped byte in header":    {flipped(len(magic) + 5), o},
		"flipped method":            {flipped(len(magic)), o},
		"flipped byte in chunk":     {flipped(len(header) + 5 + 1000), o},
		"flipped byte in last":      {flipped(len(ct) - 3), o},
		"flipped length":            {flipped(len(header) + 2), o},
		"truncated mid-chunk":       {ct[:len(ct)-100], o},
		"truncated after a chunk":   {join(frames[:3]...), o},
		"header only":               {header, o},
		"last chunk dropped, flag":  {join(frames[0], frames[1], lastFlag(frames[2], 1)), o},
		"reordered chunks":          {join(frames[1], frames[0], frames[2], frames[3]), o},
		"repeated chunk":            {join(frames[0], frames[0], frames[1], frames[2], frames[3]), o},
		"chunk dropped":             {join(frames[0], frames[2], frames[3]), o},
		"last flag cleared":         {join(frames[0], frames[1], frames[2], lastFlag(frames[3], 0)), o},
		"trailing bytes":            {append(bytes.Clone(ct), 0), o},
		"passphrase header flipped": {func() []byte { c := bytes.Clone(pct); c[len(magic)+3] ^= 1; return c }(), OpenWithPassphrase([]byte("correct horse battery staple"))},
	}
	for name, c := range cases {
		got, err := open(c.o, c.ct)
		if !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
		if bytes.Equal(got, pt) {
			t.Errorf("%s: the whole plaintext came out", name)
		}
	}
	for name, in := range map[string][]byte{"empty file": nil, "a plain backup": []byte("SQLite format 3\x00....")} {
		if _, err := open(o, in); !errors.Is(err, ErrNotEncrypted) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A forged header asking argon2id for too much memory is refused
	// before any work.
	forged := bytes.Clone(pct)
	binary.BigEndian.PutUint32(forged[len(magic)+1+16+4:], 1<<30)
	if _, err := open(OpenWithPassphrase([]byte("correct horse battery staple")), forged); !errors.Is(err, ErrRefused) {
		t.Errorf("forged argon2 memory: %v", err)
	}
}

// Keys: a private key file is not a public one and the reverse; damaged
// ones are refused.
func TestKeyFiles(t *testing.T) {
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ToRecipient(priv); err == nil {
		t.Error("a private key taken as a recipient")
	}
	if _, err := WithPrivateKey(pub); err == nil {
		t.Error("a public key taken as a private one")
	}
	if _, err := ToRecipient(pub[:20]); err == nil {
		t.Error("a damaged public key taken")
	}
	if bytes.Contains(pub, priv[len(privatePrefix):len(privatePrefix)+20]) {
		t.Error("the public key file holds the private key")
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// A reader's error is returned, not sealed as the end of the file.
func TestReadError(t *testing.T) {
	s, _ := keys(t)
	if err := s.Encrypt(io.Discard, io.MultiReader(bytes.NewReader(plaintext(ChunkSize+5)), failing{})); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read error: %v", err)
	}
}

func BenchmarkEncrypt(b *testing.B) {
	pub, _, _ := GenerateKey()
	s, _ := ToRecipient(pub)
	pt := plaintext(8 << 20)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if err := s.Encrypt(io.Discard, bytes.NewReader(pt)); err != nil {
			b.Fatal(err)
		}
	}
}
