package match

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ImportColumns are the header names of the registry's import CSV format.
// Columns the matcher does not use are read and ignored.
var ImportColumns = []string{
	"external_id", "given_name", "family_name", "full_name_native", "sex", "date_of_birth",
	"father_name", "mother_name", "phone", "national_id", "passport_number", "admin_area",
	"address", "postcode", "destination_country", "occupation_abroad", "return_date", "return_type",
}

// CSVError is a problem with one line of an input file.
type CSVError struct {
	Line int    // 1-based line number in the file (the header is line 1)
	Msg  string // what is wrong, in English
}

func (e *CSVError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ReadCSV reads records in the import CSV format: a header row naming the
// columns (any order; unknown columns ignored; missing ones empty), UTF-8
// with or without a byte-order mark. Every record keeps its external_id as
// both ID and ExternalID. It fails, naming the line, on bytes that are not
// UTF-8 (a file saved in another encoding), on an empty or repeated
// external_id and on malformed CSV. Values the matcher cannot read but can
// live without (a date that is not a date) are returned as warnings, and the
// record is kept with that value treated as missing.
func ReadCSV(ctx context.Context, r io.Reader) (recs []Record, warnings []error, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(3); len(b) == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, &CSVError{Line: 1, Msg: "the file is empty (expected a header row)"}
	}
	if err != nil {
		return nil, nil, csvErr(err, 1)
	}
	header = append([]string(nil), header...) // ReuseRecord: the next Read overwrites it
	col := map[string]int{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, nil, &CSVError{Line: 1, Msg: "the header is not valid UTF-8; save the file as UTF-8"}
		}
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["external_id"]; !ok {
		return nil, nil, &CSVError{Line: 1, Msg: "no external_id column (every row needs an identifier)"}
	}
	seen := map[string]int{}
	for {
		if len(recs)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, nil, csvErr(err, line)
		}
		blank := true
		for i, v := range row {
			if !utf8.ValidString(v) {
				name := fmt.Sprintf("column %d", i+1)
				if i < len(header) {
					name = header[i]
				}
				return nil, nil, &CSVError{Line: line, Msg: fmt.Sprintf("%s is not valid UTF-8 (was the file saved in another encoding?); save it as UTF-8", name)}
			}
			if strings.TrimSpace(v) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		id := get("external_id")
		if id == "" {
			return nil, nil, &CSVError{Line: line, Msg: "external_id is empty"}
		}
		if prev, dup := seen[id]; dup {
			return nil, nil, &CSVError{Line: line, Msg: fmt.Sprintf("external_id %q is repeated (first on line %d)", id, prev)}
		}
		seen[id] = line
		rec := Record{
			ID: id, ExternalID: id,
			GivenName: get("given_name"), FamilyName: get("family_name"), FullNameNative: get("full_name_native"),
			Sex: get("sex"), DOB: get("date_of_birth"), FatherName: get("father_name"), MotherName: get("mother_name"),
			NationalID: get("national_id"), Passport: get("passport_number"), AdminArea: get("admin_area"),
			Address: get("address"), Postcode: get("postcode"),
		}
		for _, p := range strings.FieldsFunc(get("phone"), func(r rune) bool { return r == ';' || r == ',' || r == '/' || r == '|' }) {
			if p = strings.TrimSpace(p); p != "" {
				rec.Phones = append(rec.Phones, p)
			}
		}
		if _, err := ParseDate(rec.DOB); err != nil {
			warnings = append(warnings, &CSVError{Line: line, Msg: fmt.Sprintf("date_of_birth %q is not a date (YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD); compared as missing", rec.DOB)})
		}
		if rec.GivenName == "" && rec.FamilyName == "" && rec.FullNameNative == "" {
			warnings = append(warnings, &CSVError{Line: line, Msg: fmt.Sprintf("record %q has no name; it can only match on other fields", id)})
		}
		recs = append(recs, rec)
	}
	return recs, warnings, nil
}

func csvErr(err error, line int) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error()}
	}
	return &CSVError{Line: line, Msg: err.Error()}
}
