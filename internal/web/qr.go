package web

import (
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrCode is a QR code drawn as SVG: a square of Size modules (the quiet
// zone included) and the path of its dark ones.
type qrCode struct {
	Size int
	Path string
}

// newQR encodes s (a URL) at medium error correction, so that a creased or
// stained printout still scans.
func newQR(s string) (qrCode, error) {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return qrCode{}, err
	}
	bm := q.Bitmap()
	var b strings.Builder
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				b.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h1v1h-1z")
			}
		}
	}
	return qrCode{Size: len(bm), Path: b.String()}, nil
}
