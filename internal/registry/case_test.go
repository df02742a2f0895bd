package registry

import (
	"fmt"
	"testing"

	"homeward"
)

func TestTransitionsMatrix(t *testing.T) {
	allowed := map[string]bool{
		"registered>assessed": true, "registered>closed": true,
		"assessed>plan_agreed": true, "assessed>closed": true,
		"plan_agreed>in_services": true, "plan_agreed>assessed": true, "plan_agreed>closed": true,
		"in_services>monitoring": true, "in_services>plan_agreed": true, "in_services>closed": true,
		"monitoring>closed": true, "monitoring>in_services": true,
		"closed>monitoring": true, "closed>assessed": true,
	}
	for _, from := range CaseStatuses {
		for _, to := range CaseStatuses {
			name := fmt.Sprintf("%s>%s", from, to)
			t.Run(name, func(t *testing.T) {
				c := Case{ID: "c1", Status: from, Priority: PriorityNormal}
				if from == StatusClosed {
					c.ClosureReason = CloseUnreachable
				}
				var reason ClosureReason
				if to == StatusClosed {
					reason = CloseSupportCompleted
				}
				ev, err := c.Transition(to, reason, "u1", now)
				if allowed[name] {
					if err != nil {
						t.Fatalf("allowed transition refused: %v", err)
					}
					if c.Status != to || ev.At != now || ev.Actor != "u1" || ev.CaseID != "c1" || ev.Summary.Key == "" {
						t.Errorf("after transition: %+v, event %+v", c, ev)
					}
					if to == StatusClosed && (c.ClosedAt == nil || c.ClosureReason != CloseSupportCompleted || ev.Kind != EventClosed) {
						t.Errorf("closing: %+v %+v", c, ev)
					}
					if from == StatusClosed && (c.ClosedAt != nil || c.ClosureReason != "" || ev.Kind != EventReopened) {
						t.Errorf("reopening: %+v %+v", c, ev)
					}
					if err := c.Validate(); err != nil {
						t.Errorf("case invalid after transition: %v", problems(t, err))
					}
				} else {
					if homeward.ErrorCode(err) != homeward.ECONFLICT || errKey(err) != "registry.case.transition" {
						t.Fatalf("forbidden transition: err %v", err)
					}
					if c.Status != from {
						t.Error("status changed on a refused transition")
					}
				}
				if CanTransition(from, to, c.ClosureReason) != allowed[name] && c.Status == from {
					t.Error("CanTransition disagrees")
				}
			})
		}
	}
}

func TestTransitionRules(t *testing.T) {
	c := Case{Status: StatusClosed, ClosureReason: CloseDeceased, Priority: PriorityNormal}
	if _, err := c.Transition(StatusMonitoring, "", "u", now); errKey(err) != "registry.case.closed_final" {
		t.Errorf("reopening after death: %v", err)
	}
	if NextStatuses(StatusClosed, CloseDeceased) != nil {
		t.Error("deceased has next statuses")
	}
	open := Case{Status: StatusInServices, Priority: PriorityNormal}
	tests := []struct {
		to     CaseStatus
		reason ClosureReason
		key    string
	}{
		{StatusClosed, "", "registry.case.reason_required"},
		{StatusClosed, "bored", "error.field.invalid_choice"},
		{StatusMonitoring, CloseOptedOut, "registry.case.reason_not_closing"},
		{"archived", "", "error.field.invalid_choice"},
	}
	for _, tt := range tests {
		c := open
		if _, err := c.Transition(tt.to, tt.reason, "u", now); errKey(err) != tt.key || c.Status != StatusInServices {
			t.Errorf("Transition(%s, %s) = %v, want %s", tt.to, tt.reason, err, tt.key)
		}
	}
}

func TestCaseValidate(t *testing.T) {
	tests := []struct {
		c    Case
		want []string
	}{
		{Case{Number: "BGD-2026-000123", Status: StatusRegistered, Priority: PriorityHigh, Vulnerabilities: []Vulnerability{VulnTraffickingVictim}}, nil},
		{Case{Number: "BGD-26-1", Status: StatusRegistered, Priority: PriorityHigh}, []string{"number=registry.case.number_invalid"}},
		{Case{Status: "open", Priority: "whenever"}, []string{"status=error.field.invalid_choice", "priority=error.field.invalid_choice"}},
		{Case{Status: StatusClosed, Priority: PriorityLow}, []string{"closure_reason=registry.case.reason_required"}},
		{Case{Status: StatusClosed, ClosureReason: "bored", Priority: PriorityLow}, []string{"closure_reason=error.field.invalid_choice"}},
		{Case{Status: StatusAssessed, ClosureReason: CloseDeceased, Priority: PriorityLow}, []string{"closure_reason=registry.case.reason_not_closing"}},
		{Case{Status: StatusAssessed, Priority: PriorityLow, Vulnerabilities: []Vulnerability{VulnElderly, "lonely", VulnElderly}}, []string{
			"vulnerabilities[1]=error.field.invalid_choice", "vulnerabilities[2]=registry.case.flag_duplicate"}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) { wantProblems(t, tt.c.Validate(), tt.want...) })
	}
}

func TestCaseNumber(t *testing.T) {
	if got := FormatCaseNumber("bgd", 2026, 123); got != "BGD-2026-000123" {
		t.Errorf("format = %q", got)
	}
	if got := FormatCaseNumber("PAK", 2026, 1234567); got != "PAK-2026-1234567" {
		t.Errorf("wide format = %q", got)
	}
	tests := []struct {
		in   string
		want CaseNumber
		ok   bool
	}{
		{"BGD-2026-000123", CaseNumber{"BGD", 2026, 123}, true},
		{" bgd-2026-000123 ", CaseNumber{"BGD", 2026, 123}, true},
		{"IRQ-2025-1234567", CaseNumber{"IRQ", 2025, 1234567}, true},
		{"BGD-2026-123", CaseNumber{}, false},
		{"XXX-2026-000123", CaseNumber{}, false},
		{"BD-2026-000123", CaseNumber{}, false},
		{"BGD-1999-000123", CaseNumber{}, false},
		{"BGD-2026-000000", CaseNumber{}, false},
		{"BGD-2026-00012A", CaseNumber{}, false},
		{"BGD/2026/000123", CaseNumber{}, false},
		{"", CaseNumber{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCaseNumber(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseCaseNumber(%q) = %+v, %v", tt.in, got, err)
		}
		if err == nil && got.String() != FormatCaseNumber(tt.want.Country, tt.want.Year, tt.want.Sequence) {
			t.Errorf("String() = %q", got.String())
		}
	}
}

func TestNewCaseEvent(t *testing.T) {
	ev := NewCaseEvent("c1", EventFlagAdded, "u1", now, map[string]any{"flag": "elderly"})
	if ev.Summary.Key != "registry.timeline.flag_added" || ev.Kind != EventFlagAdded {
		t.Errorf("%+v", ev)
	}
}
