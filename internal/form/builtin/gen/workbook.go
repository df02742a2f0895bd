package main

import (
	"bytes"

	"github.com/xuri/excelize/v2"
)

// Def is one form as the generator describes it.
type Def struct {
	ID, Version, TitleEn, TitleBn string
	Survey                        []Q
	Lists                         []List
}

// Q is one survey row. The zero value of a column leaves the cell empty.
type Q struct {
	Type, Name, En, Bn, HintEn, HintBn, Required, Relevant string
	Constraint, MsgEn, MsgBn, Calc, Appearance, Severity   string
}

// List is one choice list; each option is {name, English, Bangla}.
type List struct {
	Name    string
	Options [][3]string
}

func q(typ, name, en, bn string) Q { return Q{Type: typ, Name: name, En: en, Bn: bn} }

func (x Q) req() Q                 { x.Required = "yes"; return x }
func (x Q) rel(e string) Q         { x.Relevant = e; return x }
func (x Q) hint(en, bn string) Q   { x.HintEn, x.HintBn = en, bn; return x }
func (x Q) con(e, en, bn string) Q { x.Constraint, x.MsgEn, x.MsgBn = e, en, bn; return x }
func (x Q) app(a string) Q         { x.Appearance = a; return x }
func flagQ(name, sev, calc, en, bn string) Q {
	return Q{Type: "calculate", Name: name, Calc: calc, Severity: sev, En: en, Bn: bn}
}
func endGroup() Q { return Q{Type: "end_group"} }

var surveyHeader = []string{"type", "name", "label::English (en)", "label::Bangla (bn)", "hint::English (en)", "hint::Bangla (bn)",
	"required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Bangla (bn)",
	"calculation", "appearance", "severity"}

// XLSX renders the form as an XLSForm workbook.
func (d Def) XLSX() ([]byte, error) {
	wb := excelize.NewFile()
	defer wb.Close()
	rows := [][]string{surveyHeader}
	for _, x := range d.Survey {
		rows = append(rows, []string{x.Type, x.Name, x.En, x.Bn, x.HintEn, x.HintBn, x.Required, x.Relevant,
			x.Constraint, x.MsgEn, x.MsgBn, x.Calc, x.Appearance, x.Severity})
	}
	if err := writeSheet(wb, "survey", rows); err != nil {
		return nil, err
	}
	rows = [][]string{{"list_name", "name", "label::English (en)", "label::Bangla (bn)"}}
	for _, l := range d.Lists {
		for _, o := range l.Options {
			rows = append(rows, []string{l.Name, o[0], o[1], o[2]})
		}
	}
	if err := writeSheet(wb, "choices", rows); err != nil {
		return nil, err
	}
	rows = [][]string{
		{"form_title::English (en)", "form_title::Bangla (bn)", "form_id", "version", "default_language"},
		{d.TitleEn, d.TitleBn, d.ID, d.Version, "English (en)"},
	}
	if err := writeSheet(wb, "settings", rows); err != nil {
		return nil, err
	}
	if err := wb.DeleteSheet("Sheet1"); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeSheet(wb *excelize.File, name string, rows [][]string) error {
	if _, err := wb.NewSheet(name); err != nil {
		return err
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		vals := make([]any, len(r))
		for j, s := range r {
			vals[j] = s
		}
		if err := wb.SetSheetRow(name, cell, &vals); err != nil {
			return err
		}
	}
	return nil
}
