package form

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"homeward"
	"homeward/internal/xlsx"
)

// MaxXLSFormSize bounds the workbook ParseXLSForm reads, so that an upload
// cannot exhaust memory.
const MaxXLSFormSize = 10 << 20

// XLSFormLimits bound what a form workbook may unpack to (see package
// xlsx): all of it is read into memory.
var XLSFormLimits = xlsx.Limits{Total: 64 << 20, Part: 16 << 20, SharedStrings: 16 << 20, Strings: 200_000, Entry: 256 << 10}

// metadataTypes are XLSForm types that Kobo and ODK fill in automatically;
// Homeward records the same facts itself, so the rows are skipped.
var metadataTypes = map[string]bool{
	"start": true, "end": true, "today": true, "deviceid": true, "subscriberid": true,
	"simserial": true, "phonenumber": true, "username": true, "email": true, "audit": true,
	"start-geopoint": true, "instanceid": true,
}

var languageNames = map[string]string{
	"english": "en", "bangla": "bn", "bengali": "bn", "arabic": "ar", "urdu": "ur",
	"kurdish": "ckb", "sorani": "ckb", "pashto": "ps", "persian": "fa", "dari": "fa",
	"french": "fr", "hindi": "hi", "nepali": "ne",
}

var langCodeRE = regexp.MustCompile(`\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$`)

// languageCode turns an XLSForm language suffix ("English (en)", "en",
// "Bangla") into a language code; "" means the form's default language.
func languageCode(s string) string {
	s = strings.TrimSpace(s)
	if m := langCodeRE.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1])
	}
	low := strings.ToLower(s)
	if c, ok := languageNames[low]; ok {
		return c
	}
	return low
}

// sheet is one worksheet with its header row, read into column lookups.
type sheet struct {
	name string
	rows [][]string
	cols map[string]int // normalized column name → index
	// texts maps a translatable column ("label", "hint", …) to its
	// per-language column indexes.
	texts map[string]map[string]int
}

func readSheet(wb *excelize.File, want string) (*sheet, error) {
	var name string
	for _, n := range wb.GetSheetList() {
		if strings.EqualFold(strings.TrimSpace(n), want) {
			name = n
			break
		}
	}
	if name == "" {
		return nil, nil
	}
	rows, err := wb.GetRows(name)
	if err != nil {
		return nil, err
	}
	s := &sheet{name: want, rows: rows, cols: map[string]int{}, texts: map[string]map[string]int{}}
	if len(rows) == 0 {
		return s, nil
	}
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		base, lang, hasLang := strings.Cut(h, "::")
		base = normColumn(base)
		if hasLang || translatable[base] {
			m := s.texts[base]
			if m == nil {
				m = map[string]int{}
				s.texts[base] = m
			}
			m[languageCode(lang)] = i
			continue
		}
		s.cols[base] = i
	}
	return s, nil
}

var translatable = map[string]bool{"label": true, "hint": true, "constraint_message": true, "required_message": true, "form_title": true}

func normColumn(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, " ", "_")
	switch s {
	case "constraint_msg", "constraint-message":
		return "constraint_message"
	case "listname", "list-name":
		return "list_name"
	case "calculate":
		return "calculation"
	}
	return s
}

// cellRef returns the A1-style reference of a 0-based row and column.
func cellRef(sheetName string, row, col int) string {
	c, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		c = "?"
	}
	return fmt.Sprintf("%s!%s%d", sheetName, c, row+1)
}

func (s *sheet) get(row int, col string) (string, int) {
	i, ok := s.cols[col]
	if !ok || i >= len(s.rows[row]) {
		return "", i
	}
	return strings.TrimSpace(s.rows[row][i]), i
}

func (s *sheet) text(row int, col string, defLang string) Text {
	var t Text
	for lang, i := range s.texts[col] {
		if i >= len(s.rows[row]) {
			continue
		}
		v := strings.TrimSpace(s.rows[row][i])
		if v == "" {
			continue
		}
		if lang == "" {
			lang = defLang
		}
		if t == nil {
			t = Text{}
		}
		t[lang] = v
	}
	return t
}

func blankRow(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ParseXLSForm reads an XLSForm workbook (.xlsx) and returns the form it
// defines. Every problem is reported, each as a field error whose Field is the
// cell ("survey!C7") or sheet at fault and whose Key is a catalog key; the
// result is then an EINVALID *homeward.Error. Supported: the survey, choices
// and settings sheets; types text, integer, decimal, date, select_one LIST,
// select_multiple LIST, note, calculate, begin_group/end_group (also written
// "begin group"); columns type, name, label, hint, required,
// required_message, constraint, constraint_message, relevant, calculation,
// appearance and severity (for flag_* calculations), with translations as
// "label::English (en)" or "label::en". Metadata types (start, end, today,
// deviceid …) are skipped; other columns are ignored.
func ParseXLSForm(r io.Reader) (*Form, error) {
	wb, err := xlsx.Open(io.LimitReader(r, MaxXLSFormSize+1), XLSFormLimits)
	var tl *xlsx.TooLargeError
	if errors.As(err, &tl) {
		return nil, homeward.Errorf(homeward.EINVALID, "assessment.xlsform.too_large",
			"The workbook is too large once unpacked, or holds more text than a form can: a form needs only its survey, choices and settings sheets.")
	}
	if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "assessment.xlsform.unreadable", "The file is not a readable .xlsx workbook.")
	}
	defer wb.Close()
	var v homeward.Validation
	f := &Form{Lists: map[string][]Choice{}}

	settings, err := readSheet(wb, "settings")
	if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "assessment.xlsform.unreadable", "The file is not a readable .xlsx workbook.")
	}
	f.DefaultLanguage = "en"
	if settings != nil && len(settings.rows) > 1 {
		if s, _ := settings.get(1, "default_language"); s != "" {
			f.DefaultLanguage = languageCode(s)
		}
		f.ID, _ = settings.get(1, "form_id")
		f.Version, _ = settings.get(1, "version")
		if t, ok := settings.cols["form_title"]; ok && t < len(settings.rows[1]) {
			f.Title = Text{f.DefaultLanguage: strings.TrimSpace(settings.rows[1][t])}
		}
		for lang, t := range settings.text(1, "form_title", f.DefaultLanguage) {
			if f.Title == nil {
				f.Title = Text{}
			}
			f.Title[lang] = t
		}
	}
	if !validName(f.ID) {
		field := "settings"
		if settings != nil {
			if i, ok := settings.cols["form_id"]; ok {
				field = cellRef("settings", 1, i)
			}
		}
		v.AddArgs(field, "assessment.xlsform.no_form_id", map[string]any{"cell": field}, "%s: the settings sheet needs a form_id (letters, digits, _ . -).", field)
	}
	if f.Version == "" {
		field := "settings"
		if settings != nil {
			if i, ok := settings.cols["version"]; ok {
				field = cellRef("settings", 1, i)
			}
		}
		v.AddArgs(field, "assessment.xlsform.no_version", map[string]any{"cell": field}, "%s: the settings sheet needs a version; forms are versioned so that answers keep the version they were given with.", field)
	}

	choices, err := readSheet(wb, "choices")
	if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "assessment.xlsform.unreadable", "The file is not a readable .xlsx workbook.")
	}
	if choices != nil {
		parseChoices(choices, f, &v)
	}

	survey, err := readSheet(wb, "survey")
	if err != nil || survey == nil || len(survey.rows) == 0 {
		v.Add("survey", "assessment.xlsform.no_survey", "The workbook has no survey sheet.")
		return nil, v.Err()
	}
	for _, col := range []string{"type", "name"} {
		if _, ok := survey.cols[col]; !ok {
			v.AddArgs("survey!1", "assessment.xlsform.missing_column", map[string]any{"cell": "survey!1", "column": col}, "survey!1: the survey sheet has no %q column.", col)
		}
	}
	if _, ok := survey.cols["type"]; !ok {
		return nil, v.Err()
	}
	parseSurvey(survey, f, &v)
	f.Languages = languages(survey, choices, f.DefaultLanguage)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Calculations that could grow past the budget, named by their cell.
	if big := f.oversized(); len(big) > 0 {
		for _, i := range big {
			q := f.Questions[i]
			sizeError(&v, survey.calcCell(q.Name), q.Name)
		}
		return nil, v.Err()
	}
	// Structural checks the cell-level pass cannot make (they repeat none of
	// its messages because every such problem was caught above).
	if err := f.Check(); err != nil {
		return nil, err
	}
	return f, nil
}

// calcCell returns the survey cell holding the calculation of the question
// named name.
func (s *sheet) calcCell(name string) string {
	for r := 1; r < len(s.rows); r++ {
		if n, _ := s.get(r, "name"); n == name {
			_, c := s.get(r, "calculation")
			return cellRef("survey", r, c)
		}
	}
	return "survey"
}

func languages(survey, choices *sheet, def string) []string {
	set := map[string]bool{def: true}
	for _, s := range []*sheet{survey, choices} {
		if s == nil {
			continue
		}
		for lang := range s.texts["label"] {
			if lang != "" {
				set[lang] = true
			}
		}
	}
	out := []string{def}
	for l := range set {
		if l != def {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return out
}

func parseChoices(s *sheet, f *Form, v *homeward.Validation) {
	if _, ok := s.cols["list_name"]; !ok {
		v.AddArgs("choices!1", "assessment.xlsform.missing_column", map[string]any{"cell": "choices!1", "column": "list_name"}, "choices!1: the choices sheet has no %q column.", "list_name")
		return
	}
	for r := 1; r < len(s.rows); r++ {
		if blankRow(s.rows[r]) {
			continue
		}
		list, lc := s.get(r, "list_name")
		name, nc := s.get(r, "name")
		if list == "" {
			cell := cellRef("choices", r, lc)
			v.AddArgs(cell, "assessment.xlsform.empty_cell", map[string]any{"cell": cell, "column": "list_name"}, "%s: list_name is empty.", cell)
			continue
		}
		if name == "" || strings.ContainsAny(name, " \t") {
			cell := cellRef("choices", r, nc)
			v.AddArgs(cell, "assessment.xlsform.bad_choice", map[string]any{"cell": cell, "name": name}, "%s: %q is not a valid choice name (not empty, no spaces).", cell, name)
			continue
		}
		for _, c := range f.Lists[list] {
			if c.Name == name {
				cell := cellRef("choices", r, nc)
				v.AddArgs(cell, "assessment.xlsform.duplicate_choice", map[string]any{"cell": cell, "name": name, "list": list}, "%s: the choice %q appears twice in list %s.", cell, name, list)
			}
		}
		f.Lists[list] = append(f.Lists[list], Choice{Name: name, Label: s.text(r, "label", f.DefaultLanguage)})
	}
}

func parseSurvey(s *sheet, f *Form, v *homeward.Validation) {
	type open struct {
		name string
		row  int
	}
	var stack []open
	rowOf := map[string]int{}
	for r := 1; r < len(s.rows); r++ {
		if blankRow(s.rows[r]) {
			continue
		}
		typ, tc := s.get(r, "type")
		name, nc := s.get(r, "name")
		typeCell, nameCell := cellRef("survey", r, tc), cellRef("survey", r, nc)
		fields := strings.Fields(typ)
		if len(fields) == 0 {
			v.AddArgs(typeCell, "assessment.xlsform.empty_cell", map[string]any{"cell": typeCell, "column": "type"}, "%s: type is empty.", typeCell)
			continue
		}
		base := strings.ToLower(fields[0])
		if len(fields) >= 2 && (base == "begin" || base == "end") {
			base += "_" + strings.ToLower(fields[1])
			fields = fields[1:]
		}
		if metadataTypes[base] {
			continue
		}
		q := &Question{Name: name, Row: r + 1}
		switch base {
		case "text", "integer", "decimal", "date", "note", "calculate", "begin_group", "end_group":
			q.Type = Type(base)
			if len(fields) > 1 {
				v.AddArgs(typeCell, "assessment.xlsform.bad_type", map[string]any{"cell": typeCell, "type": typ}, "%s: unexpected text after type %q.", typeCell, base)
				continue
			}
		case "select_one", "select_multiple":
			q.Type = Type(base)
			if len(fields) != 2 {
				v.AddArgs(typeCell, "assessment.xlsform.bad_type", map[string]any{"cell": typeCell, "type": typ}, "%s: write %s followed by one list name.", typeCell, base)
				continue
			}
			q.List = fields[1]
			if len(f.Lists[q.List]) == 0 {
				v.AddArgs(typeCell, "assessment.xlsform.unknown_list", map[string]any{"cell": typeCell, "list": q.List}, "%s: the choice list %q is not on the choices sheet.", typeCell, q.List)
			}
		case "begin_repeat", "end_repeat":
			v.AddArgs(typeCell, "assessment.xlsform.unsupported_type", map[string]any{"cell": typeCell, "type": typ}, "%s: repeats are not supported yet.", typeCell)
			continue
		default:
			v.AddArgs(typeCell, "assessment.xlsform.unsupported_type", map[string]any{"cell": typeCell, "type": typ}, "%s: the question type %q is not supported.", typeCell, typ)
			continue
		}
		if q.Type == TypeEndGroup {
			if len(stack) == 0 {
				v.AddArgs(typeCell, "assessment.xlsform.unbalanced_group", map[string]any{"cell": typeCell}, "%s: end_group without a begin_group.", typeCell)
				continue
			}
			q.Name = stack[len(stack)-1].name
			stack = stack[:len(stack)-1]
			f.Questions = append(f.Questions, q)
			continue
		}
		switch {
		case !validName(name):
			v.AddArgs(nameCell, "assessment.xlsform.bad_name", map[string]any{"cell": nameCell, "name": name}, "%s: %q is not a valid name (start with a letter or _, then letters, digits, _ . -).", nameCell, name)
			continue
		case rowOf[name] != 0:
			v.AddArgs(nameCell, "assessment.xlsform.duplicate_name", map[string]any{"cell": nameCell, "name": name, "row": rowOf[name]}, "%s: the name %q is already used in row %d.", nameCell, name, rowOf[name])
			continue
		}
		rowOf[name] = r + 1
		if len(stack) > 0 {
			q.Group = stack[len(stack)-1].name
		}
		q.Label = s.text(r, "label", f.DefaultLanguage)
		q.Hint = s.text(r, "hint", f.DefaultLanguage)
		q.ConstraintMessage = s.text(r, "constraint_message", f.DefaultLanguage)
		q.RequiredMessage = s.text(r, "required_message", f.DefaultLanguage)
		q.Appearance, _ = s.get(r, "appearance")
		q.Severity, _ = s.get(r, "severity")
		q.Severity = strings.ToLower(q.Severity)
		if q.Severity != "" {
			if _, sc := s.get(r, "severity"); !strings.HasPrefix(name, FlagPrefix) || q.Type != TypeCalculate || !validSeverity(q.Severity) {
				cell := cellRef("survey", r, sc)
				v.AddArgs(cell, "assessment.xlsform.bad_severity", map[string]any{"cell": cell, "value": q.Severity}, "%s: severity must be urgent, high, medium or low, on a calculate row named flag_….", cell)
			}
		}
		if req, rc := s.get(r, "required"); req != "" {
			switch strings.ToLower(req) {
			case "yes", "true", "true()", "1":
				q.Required = true
			case "no", "false", "false()", "0":
			default:
				q.RequiredIf = parseCellExpr(v, "survey", r, rc, "required", req)
			}
		}
		if src, c := s.get(r, "relevant"); src != "" {
			q.Relevant = parseCellExpr(v, "survey", r, c, "relevant", src)
		}
		if src, c := s.get(r, "constraint"); src != "" {
			q.Constraint = parseCellExpr(v, "survey", r, c, "constraint", src)
		}
		if src, c := s.get(r, "calculation"); src != "" {
			q.Calculation = parseCellExpr(v, "survey", r, c, "calculation", src)
		}
		if q.Type == TypeCalculate && q.Calculation.IsZero() {
			_, c := s.get(r, "calculation")
			cell := cellRef("survey", r, c)
			v.AddArgs(cell, "assessment.xlsform.empty_cell", map[string]any{"cell": cell, "column": "calculation"}, "%s: a calculate row needs a calculation.", cell)
		}
		if q.Type == TypeBeginGroup {
			stack = append(stack, open{name, r})
		}
		f.Questions = append(f.Questions, q)
	}
	for _, o := range stack {
		_, tc := s.get(o.row, "type")
		cell := cellRef("survey", o.row, tc)
		v.AddArgs(cell, "assessment.xlsform.unclosed_group", map[string]any{"cell": cell, "name": o.name}, "%s: the group %q is never closed with end_group.", cell, o.name)
	}
	// References to unknown fields, named at the cell that holds them.
	for _, q := range f.Questions {
		if q.Type == TypeEndGroup {
			continue
		}
		for _, ce := range q.exprs() {
			col, e := ce.col, ce.e
			if col == "required_if" {
				col = "required"
			}
			for _, ref := range e.Refs() {
				if rowOf[ref] == 0 {
					_, c := s.get(q.Row-1, col)
					cell := cellRef("survey", q.Row-1, c)
					v.AddArgs(cell, "assessment.xlsform.unknown_ref", map[string]any{"cell": cell, "name": ref}, "%s: ${%s} is not a question of this form.", cell, ref)
				}
			}
		}
	}
}

func parseCellExpr(v *homeward.Validation, sheetName string, row, col int, column, src string) Expr {
	e, err := ParseExpr(src)
	if err == nil {
		return e
	}
	cell := cellRef(sheetName, row, col)
	var pe *ExprError
	pos := 0
	if errors.As(err, &pe) {
		pos = pe.Pos
	}
	v.AddArgs(cell, "assessment.xlsform.bad_expression", map[string]any{"cell": cell, "column": column, "position": pos, "detail": err.Error()},
		"%s: the %s expression is not valid: %v.", cell, column, err)
	return Expr{}
}
