package registry

import (
	"math"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
)

// This file turns the messy values of real spreadsheets into domain values.
// Each parser returns a field error (key + English message) that the importer
// attaches to the row and column.

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6,
	"jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
	"nov": 11, "november": 11, "dec": 12, "december": 12,
}

// ParseDateLoose parses a date as people type it in spreadsheets, in this order:
//
//   - the canonical "1985", "1985-03", "1985-03-12" (see ParseDate), and
//     "1985/3/12", "1985.03.12";
//   - day first: "12/03/1985", "12.03.1985", "12-03-1985", "12/3/85" (as in
//     Bangladesh, Pakistan and Iraq); month first only when the day first is
//     impossible ("12/25/1985");
//   - month and year: "03/1985", "3-1985", "Mar 1985", "March 1985";
//   - with month names: "12 Mar 1985", "12-Mar-85", "March 12, 1985";
//   - Bangla, Arabic-Indic and Persian digits anywhere;
//   - when excelSerial is set (XLSX cells), an Excel serial day number such as
//     "31118" or "31118.5" (1900 date system).
//
// Two-digit years are in the century that puts them at or before now.
func ParseDateLoose(s string, excelSerial bool, now time.Time) (Date, error) {
	s = strings.TrimSpace(homeward.ASCIIDigits(s))
	if s == "" {
		return Date{}, nil
	}
	if d, ok := parseISO(s); ok {
		return d, nil
	}
	if excelSerial {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 3000 && f < 2958466 && !strings.ContainsAny(s, "eE") {
			// Day 1 is 1900-01-01 and Excel counts a 29 February 1900 that never was,
			// so from day 61 on the epoch is 1899-12-30.
			t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(math.Floor(f)))
			return DateOf(t), nil
		}
	}
	fields := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == '/' || r == '.' || r == '-' || r == ' ' || r == ','
	})
	var nums [3]int
	var isNum [3]bool
	month := 0
	if len(fields) < 2 || len(fields) > 3 {
		return Date{}, errDate(s)
	}
	for i, f := range fields {
		if n, err := atoiDigits(f); err == nil && len(f) <= 4 {
			nums[i], isNum[i] = n, true
		} else if m, ok := monthNames[f]; ok && month == 0 {
			month, nums[i] = m, -1
		} else {
			return Date{}, errDate(s)
		}
	}
	year := func(i int) int {
		y := nums[i]
		if len(fields[i]) == 2 {
			pivot := now.Year() % 100
			if y <= pivot {
				return now.Year() - pivot + y
			}
			return now.Year() - pivot - 100 + y
		}
		if len(fields[i]) != 4 {
			return -1
		}
		return y
	}
	try := func(d Date) (Date, error) {
		if d.Year < 1 || !d.Valid() {
			return Date{}, errDate(s)
		}
		return d, nil
	}
	if len(fields) == 2 {
		switch {
		case month != 0 && isNum[1]: // Mar 1985
			return try(MonthDate(year(1), month))
		case month != 0 && isNum[0] && len(fields[0]) == 4: // 1985 Mar
			return try(MonthDate(nums[0], month))
		case isNum[0] && isNum[1] && len(fields[1]) == 4 && len(fields[0]) <= 2: // 03/1985
			return try(MonthDate(nums[1], nums[0]))
		case isNum[0] && isNum[1] && len(fields[0]) == 4 && len(fields[1]) <= 2: // 1985/3
			return try(MonthDate(nums[0], nums[1]))
		}
		return Date{}, errDate(s)
	}
	switch {
	case month != 0 && nums[1] == -1: // 12 Mar 1985
		return try(DayDate(year(2), month, nums[0]))
	case month != 0 && nums[0] == -1: // March 12, 1985
		return try(DayDate(year(2), month, nums[1]))
	case month != 0:
		return Date{}, errDate(s)
	case len(fields[0]) == 4: // 1985/3/12
		return try(DayDate(nums[0], nums[1], nums[2]))
	case len(fields[0]) <= 2 && len(fields[1]) <= 2:
		y := year(2)
		if d := DayDate(y, nums[1], nums[0]); d.Valid() {
			return d, nil
		}
		return try(DayDate(y, nums[0], nums[1]))
	}
	return Date{}, errDate(s)
}

// parseBirth reads a date of birth or an age ("35", "about 35").
func parseBirth(s string, excelSerial bool, now time.Time) (Date, error) {
	if age, ok := ParseAge(s); ok {
		return DateFromAge(age, now), nil
	}
	return ParseDateLoose(s, excelSerial, now)
}

var sexWords = map[string]Sex{
	"f": SexFemale, "female": SexFemale, "woman": SexFemale, "women": SexFemale, "w": SexFemale, "girl": SexFemale,
	"মহিলা": SexFemale, "নারী": SexFemale, "মেয়ে": SexFemale, "স্ত্রী": SexFemale, "أنثى": SexFemale, "انثى": SexFemale, "عورت": SexFemale, "خاتون": SexFemale,
	"m": SexMale, "male": SexMale, "man": SexMale, "men": SexMale, "boy": SexMale,
	"পুরুষ": SexMale, "ছেলে": SexMale, "ذكر": SexMale, "مرد": SexMale,
	"o": SexOther, "other": SexOther, "third gender": SexOther, "hijra": SexOther, "x": SexOther, "হিজড়া": SexOther, "তৃতীয় লিঙ্গ": SexOther,
	"u": SexUnknown, "unknown": SexUnknown, "not known": SexUnknown, "n/a": SexUnknown, "অজানা": SexUnknown,
}

// ParseSex reads a sex written as a code or word in English, Bangla, Arabic
// or Urdu ("F", "Male", "পুরুষ", "মহিলা").
func ParseSex(s string) (Sex, bool) {
	v, ok := sexWords[strings.ToLower(clean(s))]
	return v, ok
}

var returnTypeWords = map[string]ReturnType{
	"voluntary": ReturnVoluntary, "voluntary return": ReturnVoluntary, "self": ReturnVoluntary, "own": ReturnVoluntary, "স্বেচ্ছায়": ReturnVoluntary,
	"assisted voluntary": ReturnAssistedVoluntary, "assisted voluntary return": ReturnAssistedVoluntary, "assisted": ReturnAssistedVoluntary,
	"avr": ReturnAssistedVoluntary, "avrr": ReturnAssistedVoluntary, "assisted_voluntary": ReturnAssistedVoluntary,
	"deported": ReturnDeported, "deportation": ReturnDeported, "deportee": ReturnDeported, "forced": ReturnDeported, "forced return": ReturnDeported,
	"expelled": ReturnDeported, "removed": ReturnDeported, "বহিষ্কৃত": ReturnDeported, "জোরপূর্বক": ReturnDeported,
	"crisis evacuation": ReturnCrisisEvacuation, "crisis": ReturnCrisisEvacuation, "evacuation": ReturnCrisisEvacuation, "evacuated": ReturnCrisisEvacuation,
	"crisis_evacuation": ReturnCrisisEvacuation, "evacuee": ReturnCrisisEvacuation,
	"end of contract": ReturnEndOfContract, "end_of_contract": ReturnEndOfContract, "contract ended": ReturnEndOfContract, "contract end": ReturnEndOfContract,
	"contract completed": ReturnEndOfContract, "completed contract": ReturnEndOfContract, "contract expired": ReturnEndOfContract, "চুক্তি শেষ": ReturnEndOfContract,
}

// ParseReturnType reads a return type written as its code or in words
// ("Deported", "end of contract", "AVR").
func ParseReturnType(s string) (ReturnType, bool) {
	k := strings.ToLower(clean(strings.NewReplacer("-", " ", "/", " ").Replace(s)))
	if v, ok := returnTypeWords[k]; ok {
		return v, true
	}
	v := ReturnType(strings.ReplaceAll(k, " ", "_"))
	return v, validChoice(v, ReturnTypes)
}

// fieldErr builds an EINVALID error with a key, named args and a message.
func fieldErr(key string, args map[string]any, format string, a ...any) *homeward.Error {
	e := homeward.FieldErrorf("", key, format, a...)
	e.Args = args
	return e
}

// parseCountry reads a country as alpha-2, alpha-3 or name.
func parseCountry(s string) (string, error) {
	if c := LookupCountry(s); c != nil {
		return c.Alpha2, nil
	}
	return "", fieldErr("error.field.invalid_country", map[string]any{"value": s}, "“%s” is not a known ISO 3166 country code.", s)
}

// parseArea reads an administrative area as p-code or unique district (or
// upazila) name.
func parseArea(s string) (string, error) {
	as := LookupArea(s)
	switch len(as) {
	case 0:
		return "", fieldErr("error.field.invalid_pcode", map[string]any{"value": s}, "“%s” is not a known administrative area (p-code).", s)
	case 1:
		return as[0].Code, nil
	}
	codes := make([]string, len(as))
	for i, a := range as {
		codes[i] = a.Code
	}
	list := strings.Join(codes, ", ")
	return "", fieldErr("registry.import.area_ambiguous", map[string]any{"value": s, "codes": list}, "“%s” names several areas (%s); give the p-code.", s, list)
}

// parseOccupation reads an ISCO-08 code, or an occupation title that names
// exactly one ISCO group.
func parseOccupation(s string) (string, error) {
	if o := reference.OccupationByCode(s); o != nil {
		return o.Code, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n == math.Trunc(n) && n >= 0 && n < 10000 {
		if o := reference.OccupationByCode(strconv.Itoa(int(n))); o != nil { // "7112.0" from a spreadsheet
			return o.Code, nil
		}
	}
	if os := reference.SearchOccupations(s, "unit", 2); len(os) == 1 && strings.EqualFold(os[0].Title, s) {
		return os[0].Code, nil
	}
	return "", fieldErr("error.field.invalid_isco", map[string]any{"value": s}, "“%s” is not a known ISCO-08 occupation code.", s)
}

// unExcelNumber undoes what spreadsheets do to long numbers typed as numbers:
// "8.801712345678E+12" becomes "8801712345678", "1234567.0" becomes "1234567".
func unExcelNumber(s string) string {
	if !strings.ContainsAny(s, "eE.") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 1e17 {
		return s
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}
