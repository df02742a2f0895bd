package i18n

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
	"golang.org/x/text/number"
)

// The fast path writes exactly what the locale's printer writes, for
// every locale (with native and Latin digits), integers of every length
// and figures of up to three decimals; what it does not understand (a
// negative number, four decimals) is left to the printer.
func TestNumberAsThePrinterWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var values []any
	for _, v := range []int64{0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 999999, 1000000, 12345678, 100000000, 1234567890123, 999999999999999999} {
		values = append(values, v, int(v))
	}
	for range 2000 {
		d := rng.IntN(16)
		v := rng.Int64N(int64(math.Pow10(d)) + 1)
		values = append(values, v)
		f := float64(v) / math.Pow10(rng.IntN(4))
		values = append(values, f, math.Round(f*10)/10, math.Round(f*100)/100)
	}
	values = append(values, 0.5, 12.5, 99.95, 100.0, 0.001, 0.0004, 1.23456, -1.0, int64(-1234), math.Copysign(0, -1), math.NaN(), math.Inf(1), 1e16, uint64(math.MaxUint64), int32(12345), uint(7), float32(2.5))
	var langs []string
	for _, l := range Locales() {
		langs = append(langs, l.Tag, l.Tag+latnExt)
	}
	langs = append(langs, "fr", "hi", "xx-not-a-tag")
	fast := 0
	for _, lang := range langs {
		tag, err := language.Parse(lang)
		if err != nil {
			tag = language.English
		}
		p := xmessage.NewPrinter(tag)
		for _, v := range values {
			want := Digits(lang, p.Sprint(number.Decimal(v)))
			if got := Number(lang, v); got != want {
				t.Errorf("Number(%q, %T %v) = %q, the printer writes %q", lang, v, v, got, want)
			}
		}
		if v, _ := printers.Load(lang); v != nil && v.(*numberPrinter).g != nil {
			fast++
		}
	}
	if fast < 2*len(Locales()) {
		t.Errorf("the fast path serves %d of the %d supported locales and digit choices", fast, 2*len(Locales()))
	}
}

func BenchmarkNumber(b *testing.B) {
	for _, lang := range []string{"en", "bn"} {
		b.Run(lang, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				_ = Number(lang, int64(i)*7919)
			}
		})
	}
}
