package recommend

import (
	"errors"
	"strings"
	"testing"

	"homeward"
)

const historyHeader = "external_id,sex,age,education,occupation_abroad,years_abroad,skill_level,debt_ratio,return_type,urban,distress,business_experience,rss_economic_baseline,services,rss_economic_12m"

func TestRecommendReadCases(t *testing.T) {
	in := historyHeader + ",notes\n" +
		"A1,male,31,secondary,7112,4.5,2,0.3,deported,1,0,1,0.4,business_grant;job_placement,0.55,anything\n" +
		"A2,female,24,none,9111,2,0,0,end_of_contract,0,1,0,0.2,,0.25,\n"
	cases, err := ReadCases(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases", len(cases))
	}
	c := cases[0]
	if c.ExternalID != "A1" || c.Age != 31 || c.Education != EduSecondary || !c.Urban || !c.BusinessExperience || c.Distress ||
		len(c.Services) != 2 || c.Services[0] != BusinessGrant || c.Outcome != 0.55 {
		t.Errorf("case 1 = %+v", c)
	}
	if len(cases[1].Services) != 0 || !cases[1].Distress || cases[1].Sex != "female" {
		t.Errorf("case 2 = %+v", cases[1])
	}
}

func TestRecommendReadErrors(t *testing.T) {
	row := "A1,male,31,secondary,7112,4.5,2,0.3,deported,1,0,1,0.4,business_grant,0.55"
	swap := func(col, v string) string {
		names := strings.Split(historyHeader, ",")
		cells := strings.Split(row, ",")
		for i, n := range names {
			if n == col {
				cells[i] = v
			}
		}
		return historyHeader + "\n" + row + "\n" + strings.Join(cells, ",") + "\n"
	}
	tests := []struct {
		name, in, key, msg string
	}{
		{"bad number", swap("age", "abc"), "recommend.csv.not_number", `line 3, column "age": "abc" is not a number`},
		{"bad education", swap("education", "college"), "recommend.csv.not_one_of", `line 3, column "education": "college" is not one of none, primary, secondary, higher`},
		{"unknown service", swap("services", "business_grant;massage"), "recommend.csv.unknown_service", `line 3, column "services": "massage" is not a known service`},
		{"out of range", swap("skill_level", "4"), "recommend.csv.out_of_range", `line 3, column "skill_level": "4" is outside 0–3`},
		{"bad flag", swap("urban", "yes"), "recommend.csv.not_flag", `line 3, column "urban": "yes" is not 0 or 1`},
		{"missing value", swap("debt_ratio", ""), "recommend.csv.required", `line 3, column "debt_ratio": a value is required`},
		{"missing column", strings.Replace(historyHeader, ",debt_ratio", "", 1) + "\n", "recommend.csv.missing_column", `the header has no column "debt_ratio"`},
		{"empty", "", "recommend.csv.empty", "the file is empty: it needs a header row and at least one row"},
		{"header only", historyHeader + "\n", "recommend.csv.no_rows", "the file has a header but no rows"},
		{"oversized cell", swap("occupation_abroad", strings.Repeat("x", MaxCellLen+1)), "recommend.csv.cell_too_long", `line 3, column "occupation_abroad": the cell is longer than 1000 bytes`},
		{"ragged row", historyHeader + "\n" + row + ",extra\n", "recommend.csv.syntax", ""},
	}
	for _, tt := range tests {
		cases, err := ReadCases(strings.NewReader(tt.in))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: err = %v, want an *InputError", tt.name, err)
			continue
		}
		if cases != nil {
			t.Errorf("%s: %d cases returned with the error", tt.name, len(cases))
		}
		if ie.Key != tt.key || tt.msg != "" && ie.Message != tt.msg {
			t.Errorf("%s: %s %q, want %s %q", tt.name, ie.Key, ie.Message, tt.key, tt.msg)
		}
		var he *homeward.Error
		if !errors.As(err, &he) || he.Key != tt.key || he.Code != homeward.EINVALID {
			t.Errorf("%s: as *homeward.Error = %+v", tt.name, he)
		}
	}
}

func TestRecommendReadProfiles(t *testing.T) {
	header := strings.Replace(historyHeader, ",services,rss_economic_12m", ",district", 1)
	in := header + "\nP1,female,40,higher,2211,1,3,0,voluntary,1,0,0,0.7,Sylhet\n"
	ps, err := ReadProfiles(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].District != "Sylhet" || ps[0].SkillLevel != 3 {
		t.Errorf("profiles = %+v", ps)
	}
	// external_id is required in a file of people to rank.
	_, err = ReadProfiles(strings.NewReader(strings.Replace(in, "external_id,", "id,", 1)))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Key != "recommend.csv.missing_column" {
		t.Errorf("no external_id: %v", err)
	}
}

func TestRecommendReadTooLarge(t *testing.T) {
	lr := &limitedReader{r: strings.NewReader(strings.Repeat("a", 11)), n: 10}
	buf := make([]byte, 64)
	total := 0
	var err error
	for err == nil {
		var k int
		k, err = lr.Read(buf)
		total += k
	}
	if !errors.Is(err, errTooLarge) || total != 10 {
		t.Errorf("11 bytes through a 10-byte limit: %d bytes, %v", total, err)
	}
	lr = &limitedReader{r: strings.NewReader(strings.Repeat("a", 10)), n: 10}
	for err = nil; err == nil; {
		_, err = lr.Read(buf)
	}
	if err.Error() != "EOF" {
		t.Errorf("exactly the limit: %v", err)
	}
	if e := readErr(errTooLarge); e.(*InputError).Key != "recommend.csv.too_large" {
		t.Errorf("too large: %v", e)
	}
}
