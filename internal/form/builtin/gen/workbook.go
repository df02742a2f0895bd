package main

import (
	"bytes"

	"github.com/xuri/excelize/v2"

	"homeward/internal/form"
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

// XLSX renders the form as an XLSForm workbook: English and Bangla from
// the definitions, Arabic, Sorani and Urdu from the translation files
// (internal/form/builtin/translations/*.json; an English text without a translation leaves the
// cell empty, and the form shows the English text there).
func (d Def) XLSX() ([]byte, error) {
	trs, err := form.BuiltinTranslations()
	if err != nil {
		return nil, err
	}
	wb := excelize.NewFile()
	defer wb.Close()
	// other returns the header cells of column col in the other
	// languages, and the cells of the English text en.
	otherHead := func(col string) []string {
		var h []string
		for _, t := range trs {
			h = append(h, col+"::"+t.Name+" ("+t.Language+")")
		}
		return h
	}
	other := func(en string) []string {
		var c []string
		for _, t := range trs {
			c = append(c, t.Text(en))
		}
		return c
	}
	head := []string{"type", "name", "label::English (en)", "label::Bangla (bn)"}
	head = append(head, otherHead("label")...)
	head = append(head, "hint::English (en)", "hint::Bangla (bn)")
	head = append(head, otherHead("hint")...)
	head = append(head, "required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Bangla (bn)")
	head = append(head, otherHead("constraint_message")...)
	head = append(head, "calculation", "appearance", "severity")
	rows := [][]string{head}
	for _, x := range d.Survey {
		r := append([]string{x.Type, x.Name, x.En, x.Bn}, other(x.En)...)
		r = append(append(r, x.HintEn, x.HintBn), other(x.HintEn)...)
		r = append(append(r, x.Required, x.Relevant, x.Constraint, x.MsgEn, x.MsgBn), other(x.MsgEn)...)
		rows = append(rows, append(r, x.Calc, x.Appearance, x.Severity))
	}
	if err := writeSheet(wb, "survey", rows); err != nil {
		return nil, err
	}
	rows = [][]string{append([]string{"list_name", "name", "label::English (en)", "label::Bangla (bn)"}, otherHead("label")...)}
	for _, l := range d.Lists {
		for _, o := range l.Options {
			rows = append(rows, append([]string{l.Name, o[0], o[1], o[2]}, other(o[1])...))
		}
	}
	if err := writeSheet(wb, "choices", rows); err != nil {
		return nil, err
	}
	rows = [][]string{
		append(append([]string{"form_title::English (en)", "form_title::Bangla (bn)"}, otherHead("form_title")...), "form_id", "version", "default_language"),
		append(append([]string{d.TitleEn, d.TitleBn}, other(d.TitleEn)...), d.ID, d.Version, "English (en)"),
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
