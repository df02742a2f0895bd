package country

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Identifier is the rule a country's documents of one type follow: their
// length, whether they are all digits or letters then digits, and the way
// they are written (Format, '#' a digit: "#####-#######-#" for a CNIC).
// Key and Message are the catalog key and English text of the error.
type Identifier struct {
	Type       string `json:"type"`
	Lengths    []int  `json:"lengths"`
	Digits     bool   `json:"digits"`
	LettersMin int    `json:"letters_min"`
	LettersMax int    `json:"letters_max"`
	Format     string `json:"format"`
	Key        string `json:"key"`
	Message    string `json:"message"`
}

// Valid reports whether number, upper-case with spaces and dashes removed,
// follows the rule.
func (id *Identifier) Valid(number string) bool {
	okLen := false
	for _, n := range id.Lengths {
		okLen = okLen || len(number) == n
	}
	if !okLen {
		return false
	}
	i := 0
	if !id.Digits {
		for i < len(number) && number[i] >= 'A' && number[i] <= 'Z' {
			i++
		}
		if i < id.LettersMin || i > id.LettersMax {
			return false
		}
	}
	for ; i < len(number); i++ {
		if number[i] < '0' || number[i] > '9' {
			return false
		}
	}
	return true
}

// Written reports whether raw, as someone typed it, is either without
// dashes or has them where Format puts them (a CNIC "35202-1234567-1" or
// "3520212345671", not "352-0212345671").
func (id *Identifier) Written(raw string) bool {
	raw = strings.TrimSpace(raw)
	if id.Format == "" || !strings.Contains(raw, "-") {
		return true
	}
	if len(raw) != len(id.Format) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if (id.Format[i] == '-') != (raw[i] == '-') {
			return false
		}
	}
	return true
}

// Show writes a stored (normalised) number the way the country writes it,
// or returns it unchanged when it does not fit the format.
func (id *Identifier) Show(number string) string {
	if id == nil || id.Format == "" || len(number) != strings.Count(id.Format, "#") {
		return number
	}
	var b strings.Builder
	j := 0
	for i := 0; i < len(id.Format); i++ {
		if id.Format[i] == '#' {
			b.WriteByte(number[j])
			j++
		} else {
			b.WriteByte(id.Format[i])
		}
	}
	return b.String()
}

var documentTypes = map[string]bool{"national_id": true, "passport": true, "birth_registration": true}
var portKinds = map[string]bool{"airport": true, "land_port": true, "seaport": true}

func upperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// check reports the first broken field of p through bad(field, …).
func (p *Pack) check(bad func(field, format string, args ...any) error) error {
	switch {
	case !upperLetters(p.Code, 2):
		return bad("code", "%q is not an ISO 3166-1 alpha-2 code such as BD", p.Code)
	case !upperLetters(p.Alpha3, 3):
		return bad("alpha3", "%q is not an ISO 3166-1 alpha-3 code such as BGD", p.Alpha3)
	case !upperLetters(p.CasePrefix, 3):
		return bad("case_prefix", "%q is not three capital letters", p.CasePrefix)
	case p.Names["en"] == "":
		return bad("names.en", "the English name is required")
	case len(p.Languages) == 0:
		return bad("languages", "at least one interface language is required")
	case p.Areas.File == "" || strings.Contains(p.Areas.File, "/"):
		return bad("areas.file", "%q is not a file name in the pack's folder", p.Areas.File)
	case len(p.Areas.Levels) == 0:
		return bad("areas.levels", "list the area levels, largest first")
	case !digitsOnly(p.Phone.Dial) || len(p.Phone.Dial) > 4:
		return bad("phone.dial", "%q is not a dialling code of 1 to 4 digits", p.Phone.Dial)
	case p.PostcodeDigits < 0 || p.PostcodeDigits > 10:
		return bad("postcode_digits", "%d is not between 0 and 10", p.PostcodeDigits)
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" || p.TimeZone == "Local" {
		return bad("time_zone", "%q is not an IANA time zone", p.TimeZone)
	}
	for i, l := range p.Languages {
		if len(l) < 2 || len(l) > 3 || strings.ToLower(l) != l {
			return bad(fmt.Sprintf("languages[%d]", i), "%q is not a language code", l)
		}
	}
	for name, plan := range map[string]NumberPlan{"mobile": p.Phone.Mobile, "landline": p.Phone.Landline} {
		if plan.MinLength < 4 || plan.MaxLength < plan.MinLength || plan.MaxLength > 13 {
			return bad("phone."+name, "lengths %d–%d are not a national number's", plan.MinLength, plan.MaxLength)
		}
		for _, pre := range plan.Prefixes {
			if !digitsOnly(pre) {
				return bad("phone."+name+".prefixes", "%q is not digits", pre)
			}
		}
		if len(plan.Prefixes) == 0 {
			return bad("phone."+name+".prefixes", "at least one leading digit is required")
		}
	}
	for i, id := range p.Identifiers {
		f := fmt.Sprintf("identifiers[%d]", i)
		switch {
		case !documentTypes[id.Type]:
			return bad(f+".type", "%q is not national_id, passport or birth_registration", id.Type)
		case len(id.Lengths) == 0:
			return bad(f+".lengths", "at least one length is required")
		case !id.Digits && (id.LettersMin < 0 || id.LettersMax < id.LettersMin || id.LettersMax == 0):
			return bad(f+".letters_max", "give the letters before the digits, or digits: true")
		case id.Key == "" || id.Message == "":
			return bad(f+".key", "a catalog key and an English message are required")
		case id.Format != "" && (strings.Trim(id.Format, "#-") != "" || !contains(id.Lengths, strings.Count(id.Format, "#"))):
			return bad(f+".format", "%q is not '#' and '-' with as many '#' as a length", id.Format)
		}
	}
	seen := map[string]bool{}
	for i, pt := range p.PointsOfEntry {
		f := fmt.Sprintf("points_of_entry[%d]", i)
		switch {
		case !strings.HasPrefix(pt.Code, p.Code+"-") || seen[pt.Code]:
			return bad(f+".code", "%q must be unique and start with %s-", pt.Code, p.Code)
		case !portKinds[pt.Kind]:
			return bad(f+".kind", "%q is not airport, land_port or seaport", pt.Kind)
		case pt.Names["en"] == "":
			return bad(f+".names.en", "the English name is required")
		}
		seen[pt.Code] = true
	}
	p.weekend = map[time.Weekday]bool{}
	for i, w := range p.Weekend {
		d, ok := weekdays[w]
		if !ok {
			return bad(fmt.Sprintf("weekend[%d]", i), "%q is not a day of the week in English, lower case", w)
		}
		p.weekend[d] = true
	}
	if len(p.weekend) > 3 {
		return bad("weekend", "a week of %d weekend days", len(p.weekend))
	}
	var err error
	if p.holidays, err = checkHolidays(p.Holidays, "holidays", bad); err != nil {
		return err
	}
	if err := checkServices(p.Services, bad); err != nil {
		return err
	}
	if err := checkConsentTexts(p.ConsentTexts, bad); err != nil {
		return err
	}
	if err := checkNamed(p.ReturnTypes, "return_types", bad); err != nil {
		return err
	}
	if err := checkNamed(p.ReturnReasons, "return_reasons", bad); err != nil {
		return err
	}
	for i, l := range p.Unreviewed {
		if l == "en" || !slices.Contains(p.Languages, l) {
			return bad(fmt.Sprintf("unreviewed[%d]", i), "%q is not one of the pack's languages other than English %v", l, p.Languages)
		}
	}
	return nil
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// AreaNameColumn reports whether column h of an areas file holds the
// areas' names in a language, and which: name_ and the language
// (name_en_alt is another English spelling, not a language).
func AreaNameColumn(h string) (lang string, ok bool) {
	if h == "name_en_alt" {
		return "", false
	}
	return strings.CutPrefix(h, "name_")
}

// checkAreaCSV checks the areas file: its header, one row per unique code,
// known levels, parents that exist.
func checkAreaCSV(b []byte, a Areas, languages []string) error {
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"level", "code", "parent_code", "name_en"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("header: the column %s is missing", need)
		}
	}
	for _, h := range head {
		if l, ok := AreaNameColumn(h); ok && l != "en" && !slices.Contains(languages, l) {
			return fmt.Errorf("header: %s: %q is not one of the pack's languages %v", h, l, languages)
		}
	}
	levels := map[string]bool{}
	for _, l := range a.Levels {
		levels[l] = true
	}
	codes := map[string]bool{}
	var parents [][2]string
	for line := 2; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		code := row[col["code"]]
		switch {
		case code == "" || codes[code]:
			return fmt.Errorf("line %d: code: %q is empty or repeated", line, code)
		case !levels[row[col["level"]]]:
			return fmt.Errorf("line %d: level: %q is not one of the pack's levels %v", line, row[col["level"]], a.Levels)
		case row[col["name_en"]] == "":
			return fmt.Errorf("line %d: name_en: the English name is required", line)
		}
		if i, ok := col["unreviewed"]; ok {
			for _, l := range strings.Fields(row[i]) {
				if n, ok := col["name_"+l]; l == "en" || !ok || row[n] == "" {
					return fmt.Errorf("line %d: unreviewed: %q names no name of this row in one of the pack's languages (a name_%s column with a name)", line, l, l)
				}
			}
		}
		codes[code] = true
		if pc := row[col["parent_code"]]; pc != "" {
			parents = append(parents, [2]string{code, pc})
		}
	}
	for _, cp := range parents {
		if !codes[cp[1]] {
			return fmt.Errorf("code %s: parent_code: %s is not in the file", cp[0], cp[1])
		}
	}
	return nil
}

// readTiles reads a tile map (code,row,col): each code a district of the
// areas file, once, each place on the grid once, rows and columns from 0
// to 99.
func readTiles(b, areaCSV []byte) (map[string]Tile, error) {
	districts := map[string]bool{}
	ar := csv.NewReader(bytes.NewReader(areaCSV))
	ar.FieldsPerRecord = -1
	rows, err := ar.ReadAll()
	if err != nil {
		return nil, err
	}
	for _, row := range rows[1:] { // the areas file is checked before
		if row[0] == "district" {
			districts[row[1]] = true
		}
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 3
	if head, err := r.Read(); err != nil {
		return nil, err
	} else if strings.Join(head, ",") != "code,row,col" {
		return nil, fmt.Errorf("line 1: the header must be code,row,col, not %s", strings.Join(head, ","))
	}
	tiles := map[string]Tile{}
	taken := map[Tile]string{}
	for line := 2; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		code := row[0]
		_, dup := tiles[code]
		var t Tile
		var perr error
		if t.Row, perr = strconv.Atoi(row[1]); perr == nil {
			t.Col, perr = strconv.Atoi(row[2])
		}
		switch {
		case !districts[code]:
			return nil, fmt.Errorf("line %d: code: %q is not a district of the areas file", line, code)
		case dup:
			return nil, fmt.Errorf("line %d: code: %s is placed twice", line, code)
		case perr != nil || t.Row < 0 || t.Col < 0 || t.Row > 99 || t.Col > 99:
			return nil, fmt.Errorf("line %d: row and col must be whole numbers from 0 to 99, not %q and %q", line, row[1], row[2])
		case taken[t] != "":
			return nil, fmt.Errorf("line %d: %s is on the place of %s (row %d, col %d)", line, code, taken[t], t.Row, t.Col)
		}
		tiles[code], taken[t] = t, code
	}
	return tiles, nil
}

// checkNamed checks a list of coded values: codes in lower case with
// underscores, each once, each with an English name.
func checkNamed(list []Named, field string, bad func(field, format string, args ...any) error) error {
	seen := map[string]bool{}
	for i, n := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case n.Code == "" || strings.Trim(n.Code, "abcdefghijklmnopqrstuvwxyz_") != "" || seen[n.Code]:
			return bad(f+".code", "%q must be unique, lower case letters and underscores", n.Code)
		case n.Names["en"] == "":
			return bad(f+".names.en", "the English name is required")
		}
		seen[n.Code] = true
	}
	return nil
}

// AreaNameCount says how many of a pack's areas have a name in one
// language, and of those how many are marked unreviewed (Homeward's own
// rendering, awaiting a speaker's review).
type AreaNameCount struct{ Total, Named, Unreviewed int }

// AreaNames counts the areas file's names per language other than
// English (a checked file: see checkAreaCSV).
func (p *Pack) AreaNames() map[string]AreaNameCount {
	out := map[string]AreaNameCount{}
	rows, err := csv.NewReader(bytes.NewReader(p.areaCSV)).ReadAll()
	if err != nil || len(rows) == 0 {
		return out
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
		if l, ok := AreaNameColumn(h); ok && l != "en" {
			out[l] = AreaNameCount{}
		}
	}
	for _, row := range rows[1:] {
		var unreviewed []string
		if i, ok := col["unreviewed"]; ok {
			unreviewed = strings.Fields(row[i])
		}
		for l, c := range out {
			c.Total++
			if row[col["name_"+l]] != "" {
				c.Named++
				if slices.Contains(unreviewed, l) {
					c.Unreviewed++
				}
			}
			out[l] = c
		}
	}
	return out
}
