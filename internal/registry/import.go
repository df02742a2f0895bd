package registry

import (
	"errors"
	"hash/maphash"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"homeward"
	"homeward/internal/country"
)

// Column is a column of the bulk import format (and of exports).
type Column string

// The import columns, documented in the README.
const (
	ColExternalID         Column = "external_id"
	ColGivenName          Column = "given_name"
	ColFamilyName         Column = "family_name"
	ColFullNameNative     Column = "full_name_native"
	ColSex                Column = "sex"
	ColDateOfBirth        Column = "date_of_birth"
	ColFatherName         Column = "father_name"
	ColMotherName         Column = "mother_name"
	ColPhone              Column = "phone"
	ColNationalID         Column = "national_id"
	ColPassportNumber     Column = "passport_number"
	ColAdminArea          Column = "admin_area"
	ColAddress            Column = "address"
	ColPostcode           Column = "postcode"
	ColDestinationCountry Column = "destination_country"
	ColOccupationAbroad   Column = "occupation_abroad"
	ColReturnDate         Column = "return_date"
	ColReturnType         Column = "return_type"
	ColReturnReasons      Column = "return_reasons"
)

// ImportColumns lists the import format's columns in their documented order.
var ImportColumns = []Column{ColExternalID, ColGivenName, ColFamilyName, ColFullNameNative, ColSex, ColDateOfBirth,
	ColFatherName, ColMotherName, ColPhone, ColNationalID, ColPassportNumber, ColAdminArea, ColAddress, ColPostcode,
	ColDestinationCountry, ColOccupationAbroad, ColReturnDate, ColReturnType, ColReturnReasons}

// RequiredColumns must be in every import file. A file also needs given_name
// or full_name_native (or both); each row needs a value in at least one of them.
var RequiredColumns = []Column{ColExternalID, ColSex, ColDestinationCountry, ColReturnDate}

// columnAliases maps other header spellings (after normalizeHeader) to columns.
var columnAliases = map[string]Column{
	"id": ColExternalID, "externalid": ColExternalID, "ext_id": ColExternalID, "ref": ColExternalID, "reference": ColExternalID, "record_id": ColExternalID,
	"first_name": ColGivenName, "firstname": ColGivenName, "givenname": ColGivenName, "forename": ColGivenName,
	"last_name": ColFamilyName, "lastname": ColFamilyName, "surname": ColFamilyName, "familyname": ColFamilyName,
	"native_name": ColFullNameNative, "name_native": ColFullNameNative, "name_bn": ColFullNameNative, "bangla_name": ColFullNameNative, "name_bangla": ColFullNameNative, "নাম": ColFullNameNative,
	"gender": ColSex, "লিঙ্গ": ColSex,
	"dob": ColDateOfBirth, "birth_date": ColDateOfBirth, "birthdate": ColDateOfBirth, "date_of_birth_or_age": ColDateOfBirth, "age": ColDateOfBirth,
	"father": ColFatherName, "fathers_name": ColFatherName, "father_s_name": ColFatherName,
	"mother": ColMotherName, "mothers_name": ColMotherName, "mother_s_name": ColMotherName,
	"mobile": ColPhone, "phone_number": ColPhone, "mobile_number": ColPhone, "mobile_no": ColPhone, "phone_no": ColPhone, "contact": ColPhone, "telephone": ColPhone,
	"nid": ColNationalID, "national_id_number": ColNationalID, "nid_number": ColNationalID, "nid_no": ColNationalID, "cnic": ColNationalID,
	"passport": ColPassportNumber, "passport_no": ColPassportNumber,
	"pcode": ColAdminArea, "p_code": ColAdminArea, "admin_area_pcode": ColAdminArea, "district": ColAdminArea, "upazila": ColAdminArea, "location": ColAdminArea,
	"address_text": ColAddress, "village": ColAddress,
	"post_code": ColPostcode, "zip": ColPostcode, "postal_code": ColPostcode,
	"destination": ColDestinationCountry, "country_of_destination": ColDestinationCountry, "destination_country_code": ColDestinationCountry, "country": ColDestinationCountry,
	"occupation": ColOccupationAbroad, "isco": ColOccupationAbroad, "isco_code": ColOccupationAbroad, "occupation_isco": ColOccupationAbroad,
	"date_of_return": ColReturnDate, "arrival_date": ColReturnDate, "returned_on": ColReturnDate,
	"type_of_return": ColReturnType, "return_kind": ColReturnType,
	"reasons_for_return": ColReturnReasons, "return_reason_codes": ColReturnReasons,
}

// normalizeHeader folds a header cell: lower case, BOM and surrounding space
// removed, runs of spaces, dashes, dots and apostrophes turned into "_".
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	var b strings.Builder
	under := false
	for _, r := range h {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		} else {
			under = true
		}
	}
	return b.String()
}

// HeaderColumn maps a header cell to its import column, or "" when unknown.
func HeaderColumn(h string) Column {
	n := normalizeHeader(h)
	if c := Column(n); slices.Contains(ImportColumns, c) {
		return c
	}
	return columnAliases[n]
}

// Format is a bulk file format.
type Format string

// The supported bulk file formats.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// FormatFromName guesses the format from a file name's extension.
func FormatFromName(name string) (Format, bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv", ".txt", ".tsv":
		return FormatCSV, true
	case ".xlsx", ".xlsm":
		return FormatXLSX, true
	}
	return "", false
}

// ImportOptions tune an import.
type ImportOptions struct {
	// DefaultCountry (ISO alpha-2) reads local phone numbers and is the issuing
	// country of national IDs and passports; "BD" when empty.
	DefaultCountry string
	// Sheet names the XLSX sheet to read; the first sheet when empty.
	Sheet string
	// Now is the time of the import, for "in the future" checks and ages;
	// time.Now() when zero.
	Now time.Time
	// MaxLineBytes bounds a CSV line (1 MiB when zero): a longer line is a
	// file-level error, so a broken file cannot exhaust memory.
	MaxLineBytes int
}

// ImportRow is one data row of an import file: either valid (Errors empty),
// with the Person and Episode ready to store, or with the problems found.
type ImportRow struct {
	Line       int              `json:"line"` // 1-based line (CSV) or row number (XLSX) in the file
	ExternalID string           `json:"external_id"`
	Person     Person           `json:"person"`
	Episode    MigrationEpisode `json:"episode"`
	// Cells are the row's cells as read, in the file's column order, for the
	// error report.
	Cells  []string   `json:"-"`
	Errors []RowError `json:"errors,omitempty"`
}

// OK reports whether the row is valid.
func (r *ImportRow) OK() bool { return len(r.Errors) == 0 }

// RowError is one problem with one cell of an import row.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"` // an import column name, or the header cell for duplicates
	// Header is the column's heading as the file wrote it ("Mobile",
	// "জাতীয় পরিচয়পত্র"), which is what the person fixing it looks for.
	Header  string         `json:"header,omitempty"`
	Value   string         `json:"value"`
	Key     string         `json:"key"`
	Message string         `json:"message"` // English; translate Key with Args
	Args    map[string]any `json:"args,omitempty"`
}

// ImportWarning is a file-level remark that does not stop the import, such as
// a column the format does not know (its cells are ignored).
type ImportWarning struct {
	Column  string         `json:"column"`
	Key     string         `json:"key"`
	Message string         `json:"message"`
	Args    map[string]any `json:"args,omitempty"`
}

// rowSource yields raw rows: cells and the line they start on. It returns
// io.EOF at the end.
type rowSource interface {
	next() (cells []string, line int, err error)
	close() error
	excelSerial() bool
}

// ImportReader reads and validates an import file row by row. It keeps one
// row in memory at a time (plus, to catch repeated external_id values, an
// 8-byte hash per row), so a file of any length can be read.
type ImportReader struct {
	src      rowSource
	opt      ImportOptions
	header   []string
	cols     []Column // per file column; "" when ignored
	warnings []ImportWarning
	seenIDs  map[uint64]int
	// headings maps each column to its heading in the file.
	headings map[Column]string
	seed     maphash.Seed
	rows     int
}

// NewImportReader opens an import file of format f from r and reads its
// header. File-level problems are EINVALID *homeward.Error values with keys
// registry.import.*: wrong encoding (with the line), empty file, missing
// required columns (listed), a duplicated column, a line too long.
func NewImportReader(r io.Reader, f Format, opt ImportOptions) (*ImportReader, error) {
	if opt.DefaultCountry == "" {
		opt.DefaultCountry = country.Default
	}
	opt.DefaultCountry = strings.ToUpper(opt.DefaultCountry)
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.MaxLineBytes <= 0 {
		opt.MaxLineBytes = 1 << 20
	}
	var src rowSource
	var err error
	switch f {
	case FormatCSV:
		src, err = newCSVSource(r, opt.MaxLineBytes)
	case FormatXLSX:
		src, err = newXLSXSource(r, opt.Sheet)
	default:
		return nil, fileErr("registry.import.format", map[string]any{"value": string(f)}, "“%s” is not a supported file format; use CSV or XLSX.", f)
	}
	if err != nil {
		return nil, err
	}
	ir := &ImportReader{src: src, opt: opt, seenIDs: map[uint64]int{}, seed: maphash.MakeSeed()}
	if err := ir.readHeader(); err != nil {
		src.close()
		return nil, err
	}
	return ir, nil
}

func fileErr(key string, args map[string]any, format string, a ...any) *homeward.Error {
	e := homeward.Errorf(homeward.EINVALID, key, format, a...)
	e.Args = args
	return e
}

func (ir *ImportReader) readHeader() error {
	for {
		cells, _, err := ir.src.next()
		if err == io.EOF {
			return fileErr("registry.import.empty", nil, "The file is empty: it has no header row.")
		} else if err != nil {
			return err
		}
		if !blank(cells) {
			ir.header = cells
			break
		}
	}
	ir.cols = make([]Column, len(ir.header))
	where := map[Column]string{}
	for i, h := range ir.header {
		c := HeaderColumn(h)
		if strings.TrimSpace(h) == "" {
			continue
		}
		if c == "" {
			h = strings.TrimSpace(h)
			ir.warnings = append(ir.warnings, ImportWarning{Column: h, Key: "registry.import.unknown_column",
				Args: map[string]any{"column": h}, Message: "Column “" + h + "” is not part of the import format and is ignored."})
			continue
		}
		if prev, dup := where[c]; dup {
			return fileErr("registry.import.duplicate_column", map[string]any{"column": string(c), "first": prev, "second": h},
				"Columns “%s” and “%s” both give %s; keep one.", prev, h, c)
		}
		where[c] = h
		ir.cols[i] = c
	}
	ir.headings = make(map[Column]string, len(where))
	for c, h := range where {
		ir.headings[c] = strings.TrimSpace(h)
	}
	var missing []string
	for _, c := range RequiredColumns {
		if _, ok := where[c]; !ok {
			missing = append(missing, string(c))
		}
	}
	_, g := where[ColGivenName]
	_, n := where[ColFullNameNative]
	if !g && !n {
		missing = append(missing, "given_name / full_name_native")
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		return fileErr("registry.import.missing_columns", map[string]any{"columns": list}, "Required columns are missing: %s.", list)
	}
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Header returns the header row as it is in the file.
func (ir *ImportReader) Header() []string { return ir.header }

// Columns returns the import column of each file column ("" for ignored ones).
func (ir *ImportReader) Columns() []Column { return ir.cols }

// Warnings returns the file-level warnings found so far (unknown columns).
func (ir *ImportReader) Warnings() []ImportWarning { return ir.warnings }

// Rows returns how many data rows Next has returned.
func (ir *ImportReader) Rows() int { return ir.rows }

// Close releases the file (XLSX temporary files); it does not close the
// io.Reader given to NewImportReader.
func (ir *ImportReader) Close() error { return ir.src.close() }

// Next returns the next non-blank data row, parsed and validated, or io.EOF
// after the last. A row's problems are in its Errors; an error returned by
// Next is file-level (wrong encoding on a line, a broken file) and ends the
// import. A row of HXL hashtags right under the header is skipped.
func (ir *ImportReader) Next() (*ImportRow, error) {
	for {
		cells, line, err := ir.src.next()
		if err != nil {
			return nil, err
		}
		if blank(cells) {
			continue
		}
		if ir.rows == 0 && isHXLRow(cells) {
			continue
		}
		ir.rows++
		return ir.parseRow(cells, line), nil
	}
}

func isHXLRow(cells []string) bool {
	n := 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if c[0] != '#' {
			return false
		}
		n++
	}
	return n > 0
}

// rowBuilder collects a row's values and errors.
type rowBuilder struct {
	row   *ImportRow
	vals  map[Column]string
	bad   map[Column]bool
	docAt map[int]Column // index in Person.Documents → column
	phAt  Column
}

func (b *rowBuilder) fail(c Column, err error) {
	var e *homeward.Error
	if !errors.As(err, &e) {
		e = &homeward.Error{Key: "error.internal", Message: err.Error()}
	}
	b.add(c, e.Key, e.Args, e.Message)
}

func (b *rowBuilder) add(c Column, key string, args map[string]any, msg string) {
	if b.bad[c] {
		return // one error per cell: the first is the one to fix
	}
	b.bad[c] = true
	v := b.vals[c]
	if short := Shorten(v); short != v {
		// A bad value is echoed as a short prefix only, in the value, the
		// message and its arguments: a runaway cell must not come back whole
		// in every report of it.
		msg = strings.ReplaceAll(msg, v, short)
		v = short
	}
	if len(args) > 0 {
		shortArgs := make(map[string]any, len(args))
		for k, a := range args {
			if s, ok := a.(string); ok {
				a = Shorten(s)
			}
			shortArgs[k] = a
		}
		args = shortArgs
	}
	b.row.Errors = append(b.row.Errors, RowError{Line: b.row.Line, Column: string(c), Value: v, Key: key, Message: msg, Args: args})
}

// MaxEcho is how many characters of a bad value errors and error reports
// repeat.
const MaxEcho = 80

// Shorten cuts s to MaxEcho characters, marking the cut with "…".
func Shorten(s string) string {
	if len(s) <= MaxEcho {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxEcho {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func (ir *ImportReader) parseRow(cells []string, line int) *ImportRow {
	row := &ImportRow{Line: line, Cells: cells}
	b := rowBuilder{row: row, vals: make(map[Column]string, len(ImportColumns)), bad: map[Column]bool{}}
	for i, c := range ir.cols {
		if c != "" && i < len(cells) {
			b.vals[c] = strings.TrimSpace(cells[i])
		}
	}
	now, serial := ir.opt.Now, ir.src.excelSerial()
	p, e := &row.Person, &row.Episode

	row.ExternalID = unExcelNumber(b.vals[ColExternalID])
	p.ExternalID = row.ExternalID
	if row.ExternalID == "" {
		b.add(ColExternalID, "error.field.required", nil, "This field is required.")
	} else {
		h := maphash.String(ir.seed, row.ExternalID)
		if first, dup := ir.seenIDs[h]; dup {
			b.add(ColExternalID, "registry.import.duplicate_id", map[string]any{"line": first}, "This external_id is also on line "+itoa(first)+".")
		} else {
			ir.seenIDs[h] = line
		}
	}
	p.GivenName, p.FamilyName, p.FullNameNative = b.vals[ColGivenName], b.vals[ColFamilyName], b.vals[ColFullNameNative]
	p.FatherName, p.MotherName = b.vals[ColFatherName], b.vals[ColMotherName]

	if s := b.vals[ColSex]; s == "" {
		b.add(ColSex, "error.field.required", nil, "This field is required.")
	} else if sex, ok := ParseSex(s); ok {
		p.Sex = sex
	} else {
		b.add(ColSex, "registry.import.sex", map[string]any{"value": s}, "“"+s+"” is not a sex; write female, male, other or unknown (F, M, পুরুষ, মহিলা also work).")
	}
	if s := b.vals[ColDateOfBirth]; s != "" {
		if d, err := parseBirth(s, serial, now); err != nil {
			b.fail(ColDateOfBirth, err)
		} else {
			p.DateOfBirth = d
		}
	}
	if s := b.vals[ColPhone]; s != "" {
		b.phAt = ColPhone
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '\n' }) {
			e164, err := ParsePhone(unExcelNumber(strings.TrimSpace(part)), ir.opt.DefaultCountry)
			if err != nil {
				b.fail(ColPhone, err)
				break
			}
			p.Phones = append(p.Phones, e164)
		}
	}
	b.docAt = map[int]Column{}
	for _, d := range []struct {
		c Column
		t DocumentType
	}{{ColNationalID, DocNationalID}, {ColPassportNumber, DocPassport}} {
		if s := unExcelNumber(b.vals[d.c]); s != "" {
			b.docAt[len(p.Documents)] = d.c
			p.Documents = append(p.Documents, Document{Type: d.t, Number: s, IssuingCountry: ir.opt.DefaultCountry})
		}
	}
	if s := b.vals[ColAdminArea]; s != "" {
		if code, err := parseArea(s); err != nil {
			b.fail(ColAdminArea, err)
		} else {
			p.Address.AdminArea = code
		}
	}
	p.Address.Text = b.vals[ColAddress]
	p.Address.Postcode = unExcelNumber(b.vals[ColPostcode])

	if s := b.vals[ColDestinationCountry]; s == "" {
		b.add(ColDestinationCountry, "error.field.required", nil, "This field is required.")
	} else if c, err := parseCountry(s); err != nil {
		b.fail(ColDestinationCountry, err)
	} else {
		e.DestinationCountry = c
	}
	if s := b.vals[ColOccupationAbroad]; s != "" {
		if code, err := parseOccupation(s); err != nil {
			b.fail(ColOccupationAbroad, err)
		} else {
			e.OccupationAbroad = code
		}
	}
	e.Return = &Return{}
	if s := b.vals[ColReturnDate]; s == "" {
		b.add(ColReturnDate, "error.field.required", nil, "This field is required.")
	} else if d, err := ParseDateLoose(s, serial, now); err != nil {
		b.fail(ColReturnDate, err)
	} else {
		e.Return.Date = d
	}
	if s := b.vals[ColReturnType]; s != "" {
		if rt, ok := ParseReturnType(s); ok && !returnTypeInUse(rt, strings.ToUpper(ir.opt.DefaultCountry)) {
			b.add(ColReturnType, "country.return_type.not_in_use", map[string]any{"value": s, "country": strings.ToUpper(ir.opt.DefaultCountry)},
				"“"+s+"” is not a return type in use in "+strings.ToUpper(ir.opt.DefaultCountry)+": choose one of the list.")
		} else if ok {
			e.Return.ReturnType = rt
		} else {
			b.add(ColReturnType, "registry.import.return_type", map[string]any{"value": s}, "“"+s+"” is not a return type; write voluntary, assisted voluntary, deported, crisis evacuation or end of contract.")
		}
	}
	// Reasons for return: codes of those in local use, separated by ";"
	// or ",".
	if s := b.vals[ColReturnReasons]; s != "" {
		home := strings.ToUpper(ir.opt.DefaultCountry)
		for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
			c = strings.ToLower(strings.TrimSpace(c))
			switch {
			case c == "":
			case !slices.Contains(ReturnReasons(), c):
				b.add(ColReturnReasons, "registry.import.return_reasons", map[string]any{"value": c}, "“"+c+"” is not a reason for return; write the codes of the reasons in use, separated by semicolons.")
			case !returnReasonInUse(c, home):
				b.add(ColReturnReasons, "country.return_reason.not_in_use", map[string]any{"value": c, "country": home},
					"“"+c+"” is not a reason for return in use in "+home+": choose one of the list.")
			case !slices.Contains(e.Return.Reasons, c):
				e.Return.Reasons = append(e.Return.Reasons, c)
			}
		}
	}

	p.Normalize(ir.opt.DefaultCountry)
	e.Normalize()
	var v homeward.Validation
	p.validate(&v, now)
	CheckAreaCountry(&v, "address.admin_area", p.Address.AdminArea, ir.opt.DefaultCountry)
	validateEpisodes(&v, p, []MigrationEpisode{*e}, now)
	for _, f := range v.Fields() {
		c := b.columnOf(f.Field)
		if c == "" {
			c = Column(f.Field)
		}
		b.add(c, f.Key, f.Args, f.Message)
	}
	if !row.OK() {
		row.Person, row.Episode = Person{}, MigrationEpisode{}
		row.Person.ExternalID = row.ExternalID
		for i := range row.Errors {
			row.Errors[i].Header = ir.headings[Column(row.Errors[i].Column)]
		}
	}
	return row
}

// columnOf maps a validation path of the person or the episode to its column.
func (b *rowBuilder) columnOf(field string) Column {
	switch {
	case field == "given_name" || field == "family_name" || field == "full_name_native" || field == "sex" ||
		field == "date_of_birth" || field == "father_name" || field == "mother_name" || field == "external_id":
		return Column(field)
	case strings.HasPrefix(field, "phones["):
		return ColPhone
	case strings.HasPrefix(field, "documents["):
		i, _ := atoiDigits(field[len("documents["):strings.IndexByte(field, ']')])
		return b.docAt[i]
	case field == "address.admin_area":
		return ColAdminArea
	case field == "address.text":
		return ColAddress
	case field == "address.postcode":
		return ColPostcode
	case strings.HasPrefix(field, "episodes[0]."):
		switch strings.TrimPrefix(field, "episodes[0].") {
		case "destination_country":
			return ColDestinationCountry
		case "occupation_abroad":
			return ColOccupationAbroad
		case "return.date", "departure_date":
			return ColReturnDate
		case "return.return_type":
			return ColReturnType
		}
		if strings.HasPrefix(field, "episodes[0].return.reasons") {
			return ColReturnReasons
		}
	}
	return ""
}
