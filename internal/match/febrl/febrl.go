// Package febrl reads the FEBRL record-linkage benchmark files (synthetic
// Australian records with known duplicates) and converts them to the import
// CSV format, so that the matcher is measured on public data with ground
// truth.
package febrl

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"homeward/internal/match"
)

// Row is one FEBRL record with its true entity.
type Row struct {
	Record match.Record // in the matcher's terms, ID = ExternalID = rec_id
	Entity string       // the N of rec-N-org / rec-N-dup-k: same N, same person
}

// Read reads a FEBRL CSV file. The social security number is deliberately
// dropped (registries' document numbers change), and so is the state (it
// says little). Street number, address lines and suburb become one address.
func Read(ctx context.Context, r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("febrl: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"rec_id", "given_name", "surname", "date_of_birth"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("febrl: no %s column", need)
		}
	}
	var rows []Row
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("febrl: %w", err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := strings.ReplaceAll(get("rec_id"), " ", "")
		var addr []string
		for _, c := range []string{"street_number", "address_1", "address_2", "suburb"} {
			if v := get(c); v != "" {
				addr = append(addr, v)
			}
		}
		dob := get("date_of_birth")
		if _, err := match.ParseDate(dob); err != nil {
			dob = "" // FEBRL corrupts some dates beyond reading (month 13)
		}
		row := Row{Entity: entity(id), Record: match.Record{
			ID: id, ExternalID: id,
			GivenName: get("given_name"), FamilyName: get("surname"), DOB: dob,
			Address: strings.Join(addr, ", "), Postcode: get("postcode"),
		}}
		if p := get("phone_number"); p != "" {
			row.Record.Phones = []string{p}
		}
		rows = append(rows, row)
	}
}

func entity(id string) string {
	s := strings.TrimPrefix(id, "rec-")
	if i := strings.IndexByte(s, '-'); i >= 0 {
		return s[:i]
	}
	return s
}

// Convert reads a FEBRL file from r and writes it to w in the import CSV
// format (see match.ImportColumns).
func Convert(ctx context.Context, r io.Reader, w io.Writer) error {
	rows, err := Read(ctx, r)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"external_id", "given_name", "family_name", "date_of_birth", "phone", "address", "postcode"})
	for _, row := range rows {
		rec := row.Record
		_ = cw.Write([]string{rec.ExternalID, rec.GivenName, rec.FamilyName, rec.DOB, strings.Join(rec.Phones, ";"), rec.Address, rec.Postcode})
	}
	cw.Flush()
	return cw.Error()
}
