package registry

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// genCSV is an io.Reader producing an import file of n rows on the fly, so
// that the benchmark's own memory does not grow with n. One row in ten has a
// problem, as real files do.
type genCSV struct {
	n, i int
	buf  bytes.Buffer
}

var (
	genDistricts = []string{"BD3026", "Comilla", "BD2015", "Tangail", "BD6091", "Noakhali", "BD4041", "Chandpur"}
	genCountries = []string{"SA", "Oman", "ARE", "Malaysia", "QA", "KW", "Singapore", "JOR"}
	genTypes     = []string{"deported", "End of contract", "voluntary", "AVR", "crisis"}
	genFamily    = []string{"Karim", "Hossain", "Akter", "Rahman", "Islam", "Begum", "Uddin", "Chowdhury", "Mia", "Khatun", "Sarkar"}
)

func (g *genCSV) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.i <= g.n {
		if g.i == 0 {
			g.buf.WriteString("external_id,given_name,family_name,full_name_native,sex,date_of_birth,father_name,mother_name,phone,national_id,passport_number,admin_area,address,postcode,destination_country,occupation_abroad,return_date,return_type\n")
		} else {
			i := g.i
			sex, dob := "M", fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, 1960+i%45)
			if i%3 == 0 {
				sex, dob = "মহিলা", fmt.Sprint(20+i%40)
			}
			phone := fmt.Sprintf("017%08d", i%100000000)
			if i%10 == 7 {
				phone = "01234" // malformed
			}
			fmt.Fprintf(&g.buf, "EXT-%07d,Md Abdul,%s,আব্দুল করিম,%s,%s,Rahim Uddin,Fatema Begum,%s,%010d,A%08d,%s,\"Village %d, Road 2\",1207,%s,7112,%02d.%02d.2025,%s\n",
				i, genFamily[i%len(genFamily)], sex, dob, phone, 1000000000+i, i, genDistricts[i%len(genDistricts)], i, genCountries[i%len(genCountries)], 1+i%28, 1+i%12, genTypes[i%len(genTypes)])
		}
		g.i++
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

// BenchmarkImportCSV reads and validates a generated 100,000-row CSV and
// reports validated rows per second and the peak live heap, which must stay
// flat however large the file is.
func BenchmarkImportCSV(b *testing.B) {
	const n = 100_000
	b.ReportAllocs()
	var rows, bad int
	var peak uint64
	start := time.Now()
	for b.Loop() {
		ir, err := NewImportReader(&genCSV{n: n}, FormatCSV, ImportOptions{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		for {
			row, err := ir.Next()
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			rows++
			if !row.OK() {
				bad++
			}
			if rows%20_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		ir.Close()
	}
	el := time.Since(start)
	if rows != n*b.N || bad != n/10*b.N {
		b.Fatalf("%d rows, %d bad", rows, bad)
	}
	b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
