package registry

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"homeward/internal/heapwatch"
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
// reports validated rows per second and the peak heap while it runs, which
// must stay flat however large the file is.
func BenchmarkImportCSV(b *testing.B) {
	benchmarkImport(b, FormatCSV, func() io.Reader { return &genCSV{n: benchRows} })
}

// BenchmarkImportXLSX does the same with the rows as an XLSX workbook saved
// the way Excel saves one: every text in the shared-strings table, which
// excelize indexes in memory, so its peak grows with the distinct texts.
func BenchmarkImportXLSX(b *testing.B) {
	file := genXLSX(b, benchRows)
	b.Logf("%d rows: %.1f MB of XLSX", benchRows, float64(len(file))/(1<<20))
	benchmarkImport(b, FormatXLSX, func() io.Reader { return bytes.NewReader(file) })
}

const benchRows = 100_000

func benchmarkImport(b *testing.B, f Format, open func() io.Reader) {
	b.ReportAllocs()
	var rows, bad int
	var peak int64
	start := time.Now()
	for b.Loop() {
		peak = max(peak, heapwatch.PeakGrowth(func() {
			ir, err := NewImportReader(open(), f, ImportOptions{Now: now})
			if err != nil {
				b.Fatal(err)
			}
			defer ir.Close()
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
			}
		}))
	}
	el := time.Since(start)
	if rows != benchRows*b.N || bad != benchRows/10*b.N {
		b.Fatalf("%d rows, %d bad", rows, bad)
	}
	b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// genXLSX writes the rows of genCSV as a workbook with one sheet whose
// texts are all in the shared-strings table, as Excel writes them.
func genXLSX(tb testing.TB, n int) []byte {
	tb.Helper()
	recs := csv.NewReader(&genCSV{n: n})
	recs.FieldsPerRecord = -1
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		_, _ = io.WriteString(w, body)
	}
	const xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	add("[Content_Types].xml", xmlHead+`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`+
		`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	add("_rels/.rels", xmlHead+`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", xmlHead+`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		`<sheets><sheet name="people" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", xmlHead+`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`+
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	sheet, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriter(sheet)
	bw.WriteString(xmlHead + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	index := map[string]int{}
	var texts []string
	for r := 1; ; r++ {
		rec, err := recs.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(bw, `<row r="%d">`, r)
		for c, v := range rec {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			k, ok := index[v]
			if !ok {
				k = len(texts)
				index[v] = k
				texts = append(texts, v)
			}
			fmt.Fprintf(bw, `<c r="%s" t="s"><v>%d</v></c>`, cell, k)
		}
		bw.WriteString(`</row>`)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	sst, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		tb.Fatal(err)
	}
	bw = bufio.NewWriter(sst)
	fmt.Fprintf(bw, xmlHead+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(texts), len(texts))
	for _, t := range texts {
		bw.WriteString("<si><t>")
		_ = xml.EscapeText(bw, []byte(t))
		bw.WriteString("</t></si>")
	}
	bw.WriteString(`</sst>`)
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}
