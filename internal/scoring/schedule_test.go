package scoring

import (
	"reflect"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFollowUps(t *testing.T) {
	returned := date("2026-01-31")
	tests := []struct {
		name      string
		completed []string
		now       string
		want      []Status
	}{
		{"just returned", nil, "2026-02-01", []Status{Upcoming, Upcoming, Upcoming}},
		{"baseline does not count", []string{"2026-02-02"}, "2026-02-10", []Status{Upcoming, Upcoming, Upcoming}},
		{"3 months opens 14 days early", nil, "2026-04-16", []Status{Due, Upcoming, Upcoming}},
		{"day before opening", nil, "2026-04-15", []Status{Upcoming, Upcoming, Upcoming}},
		{"last day of grace", nil, "2026-05-30", []Status{Due, Upcoming, Upcoming}},
		{"overdue after grace", nil, "2026-05-31", []Status{Overdue, Upcoming, Upcoming}},
		{"done on time", []string{"2026-05-02"}, "2026-06-01", []Status{Done, Upcoming, Upcoming}},
		{"missed once the next opens", nil, "2026-07-20", []Status{Missed, Due, Upcoming}},
		{"late survey counts for the latest open", []string{"2026-07-20"}, "2026-07-21", []Status{Missed, Done, Upcoming}},
		{"all done", []string{"2026-04-30", "2026-07-31", "2027-01-20"}, "2027-06-01", []Status{Done, Done, Done}},
		{"twelve months overdue", []string{"2026-04-30", "2026-07-31"}, "2027-03-10", []Status{Done, Done, Overdue}},
	}
	for _, tt := range tests {
		var done []time.Time
		for _, c := range tt.completed {
			done = append(done, date(c))
		}
		fus := DefaultSchedule.FollowUps(returned, done, date(tt.now))
		var got []Status
		for _, f := range fus {
			got = append(got, f.Status)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	fus := DefaultSchedule.FollowUps(returned, nil, returned)
	var dues []string
	for _, f := range fus {
		dues = append(dues, f.Due.Format("2006-01-02"))
	}
	if want := []string{"2026-04-30", "2026-07-31", "2027-01-31"}; !reflect.DeepEqual(dues, want) {
		t.Errorf("due dates %v, want %v", dues, want)
	}
	for st, want := range map[Status]bool{Upcoming: false, Due: true, Overdue: true, Done: false, Missed: false} {
		if got := (FollowUp{Status: st}).IsTask(); got != want {
			t.Errorf("IsTask(%s) = %v", st, got)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule("1, 3,24")
	if err != nil || !reflect.DeepEqual(s.Months, []int{1, 3, 24}) || s.GraceDays != 30 {
		t.Errorf("%+v %v", s, err)
	}
	for _, bad := range []string{"", "3,3", "6,3", "0,3", "x", "-1"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}
