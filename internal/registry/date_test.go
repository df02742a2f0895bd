package registry

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"", Date{}, true},
		{"1985", YearDate(1985), true},
		{"1985-03", MonthDate(1985, 3), true},
		{"1985-03-12", DayDate(1985, 3, 12), true},
		{" 2000-02-29 ", DayDate(2000, 2, 29), true},
		{"1900-02-29", Date{}, false}, // not a leap year
		{"1985-02-30", Date{}, false},
		{"1985-13", Date{}, false},
		{"1985-00", Date{}, false},
		{"1985-03-00", Date{}, false},
		{"0000", Date{}, false},
		{"85", Date{}, false},
		{"1985/03/12", Date{}, false},
		{"+985", Date{}, false},
		{"1985-3-12", Date{}, false},
		{"abcd", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %+v, %v; want %+v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && errKey(err) != "registry.date.invalid" {
			t.Errorf("ParseDate(%q) key %q", tt.in, errKey(err))
		}
	}
}

func TestDateFormatAndJSON(t *testing.T) {
	for _, s := range []string{"1985", "1985-03", "1985-03-12"} {
		d, err := ParseDate(s)
		if err != nil || d.String() != s {
			t.Fatalf("round trip %q: %v %q", s, err, d)
		}
		b, _ := json.Marshal(d)
		if string(b) != `"`+s+`"` {
			t.Errorf("json %s", b)
		}
		var back Date
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Errorf("unmarshal %s: %v %+v", b, err, back)
		}
	}
	var p struct {
		D Date `json:"d,omitzero"`
	}
	if b, _ := json.Marshal(p); string(b) != "{}" {
		t.Errorf("zero date with omitzero: %s", b)
	}
	if b, _ := json.Marshal(Date{}); string(b) != "null" {
		t.Errorf("zero date: %s", b)
	}
	var d Date
	if err := json.Unmarshal([]byte(`"1985-02-31"`), &d); err == nil {
		t.Error("impossible date unmarshalled")
	}
	if err := json.Unmarshal([]byte(`1985`), &d); err == nil {
		t.Error("number unmarshalled as date")
	}
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || !d.IsZero() {
		t.Error("null")
	}
}

func TestDateRanges(t *testing.T) {
	tests := []struct {
		a, b   string
		before bool
	}{
		{"1985", "1986", true},
		{"1985", "1985-12-31", false}, // may be the same day
		{"1985-03", "1985-04-01", true},
		{"1985-03", "1985-03-31", false},
		{"1985-03-12", "1985-03-13", true},
		{"1985-03-12", "1985-03-12", false},
		{"2000-02", "2000-03", true},
		{"", "1985", false},
	}
	for _, tt := range tests {
		a, _ := ParseDate(tt.a)
		b, _ := ParseDate(tt.b)
		if got := a.Before(b); got != tt.before {
			t.Errorf("%s.Before(%s) = %v", tt.a, tt.b, got)
		}
	}
	if got := MonthDate(2024, 2).Latest(); got.Day() != 29 {
		t.Errorf("Feb 2024 ends on %v", got)
	}
	if !DayDate(2026, 3, 16).AfterTime(now) || DayDate(2026, 3, 15).AfterTime(now) || YearDate(2026).AfterTime(now) {
		t.Error("AfterTime")
	}
}

func TestAgeAndDateFromAge(t *testing.T) {
	if d := DateFromAge(35, now); d != YearDate(1991) {
		t.Errorf("DateFromAge(35) = %v", d)
	}
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"35", 35, true}, {"about 35", 35, true}, {"age about 35", 35, true}, {"Age: 35", 35, true},
		{"~35", 35, true}, {"35 years", 35, true}, {"35 yrs", 35, true}, {"৩৫", 35, true}, {"৩৫ বছর", 35, true},
		{"0", 0, true}, {"120", 120, true}, {"121", 0, false}, {"1985", 0, false}, {"-3", 0, false},
		{"thirty", 0, false}, {"", 0, false}, {"35.5", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseAge(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseAge(%q) = %d, %v", tt.in, got, ok)
		}
	}
	age, ok := DayDate(1990, 3, 16).AgeAt(now)
	if !ok || age != 35 {
		t.Errorf("AgeAt = %d", age)
	}
	if age, _ := DayDate(1990, 3, 15).AgeAt(now); age != 36 {
		t.Errorf("AgeAt birthday = %d", age)
	}
}

func TestParseDateLoose(t *testing.T) {
	tests := []struct {
		in     string
		serial bool
		want   string
		ok     bool
	}{
		{"1985-03-12", false, "1985-03-12", true},
		{"12/03/1985", false, "1985-03-12", true},
		{"12.03.1985", false, "1985-03-12", true},
		{"12-03-1985", false, "1985-03-12", true},
		{"1/2/1985", false, "1985-02-01", true},
		{"12/25/1985", false, "1985-12-25", true}, // only month-first works
		{"31/02/1985", false, "", false},
		{"12/03/85", false, "1985-03-12", true},
		{"12/03/24", false, "2024-03-12", true},
		{"1985/3/12", false, "1985-03-12", true},
		{"1985", false, "1985", true},
		{"03/1985", false, "1985-03", true},
		{"1985/03", false, "1985-03", true},
		{"Mar 1985", false, "1985-03", true},
		{"March 1985", false, "1985-03", true},
		{"12 Mar 1985", false, "1985-03-12", true},
		{"12-Mar-85", false, "1985-03-12", true},
		{"March 12, 1985", false, "1985-03-12", true},
		{"১২/০৩/১৯৮৫", false, "1985-03-12", true},
		{"31118", true, "1985-03-12", true},
		{"31118.75", true, "1985-03-12", true},
		{"45000", true, "2023-03-15", true},
		{"31118", false, "", false},
		{"1985", true, "1985", true}, // a year, not serial day 1985
		{"hello", false, "", false},
		{"12/13/14/15", false, "", false},
		{"Foo 1985", false, "", false},
		{"12 Mar", false, "", false},
		{"", false, "", true},
	}
	for _, tt := range tests {
		got, err := ParseDateLoose(tt.in, tt.serial, now)
		if (err == nil) != tt.ok || got.String() != tt.want {
			t.Errorf("ParseDateLoose(%q, %v) = %q, %v; want %q", tt.in, tt.serial, got, err, tt.want)
		}
	}
}

// FuzzParseDate checks that parsing never panics and that what parses prints
// back the same.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1985", "1985-03", "1985-03-12", "2000-02-29", "", "9999-12-31", "12/03/1985", "31118", "Mar 1985"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDate(s); err == nil && !d.IsZero() {
			if !d.Valid() {
				t.Fatalf("ParseDate(%q) = invalid %+v", s, d)
			}
			if back, err := ParseDate(d.String()); err != nil || back != d {
				t.Fatalf("round trip %q → %q → %+v %v", s, d, back, err)
			}
		}
		if d, err := ParseDateLoose(s, true, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil && !d.IsZero() && !d.Valid() {
			t.Fatalf("ParseDateLoose(%q) = invalid %+v", s, d)
		}
		ParseAge(s)
	})
}
