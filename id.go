package homeward

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

var (
	idMu   sync.Mutex
	lastMS int64
	seq    uint16
)

// NewID returns a new UUID version 7 (RFC 9562) as a lowercase string. IDs
// sort by creation time, which keeps B-tree inserts local and makes the ID a
// usable pagination cursor. Within one millisecond a 12-bit counter keeps the
// order of IDs from this process monotonic.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	ms := time.Now().UnixMilli()
	idMu.Lock()
	if ms <= lastMS {
		ms = lastMS
		seq++
		if seq > 0x0fff { // counter exhausted: borrow the next millisecond
			ms++
			seq = 0
		}
	} else {
		seq = binary.BigEndian.Uint16(b[6:8]) & 0x01ff // random start, room to count up
	}
	lastMS = ms
	s := seq
	idMu.Unlock()
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = 0x70 | byte(s>>8)&0x0f
	b[7] = byte(s)
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// ValidID reports whether s has the shape of an ID (36 characters, lowercase
// hex with dashes). Handlers use it to answer 404 early for junk in a path.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}
