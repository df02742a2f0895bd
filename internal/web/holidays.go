package web

import (
	"net/http"
	"sort"
	"strings"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/i18n"
)

// The instance's public holidays: its country pack's list with the
// changes an operator administrator made (a day off added, a pack holiday
// removed). Referral deadlines skip them; everyone signed in may read them.

func (w *Web) routesHolidays() {
	w.handle("GET /holidays", w.holidayList, true)
	w.handle("POST /holidays", w.holidaySave, true)
}

type holidayRow struct {
	Date, DateText, Name, Status string
	// Changed: the row is an instance's change (undo offered); Removable:
	// a pack holiday still in force.
	Changed, Removable, Removed bool
}

type holidayData struct {
	Rows   []holidayRow
	Manage bool
	Names  []catalogueName
	Date   string
}

func (w *Web) holidayPage(r *http.Request) (*page, error) {
	p := w.newPage(r, "holiday.title", nil)
	code, changes, err := w.svc.Referral.Holidays(r.Context())
	if err != nil {
		return nil, err
	}
	d := &holidayData{Manage: homeward.Can(p.Actor, homeward.ActHolidayManage, homeward.Resource{Type: "holiday"})}
	byDate := map[string]country.HolidayChange{}
	for _, c := range changes {
		byDate[c.Date] = c
	}
	if pk := country.Lookup(code); pk != nil {
		for _, h := range pk.Holidays {
			row := holidayRow{Date: h.Date, Name: h.Name(i18n.Base(p.Lang)), Status: i18n.T(p.Lang, "holiday.status.pack", nil), Removable: true}
			if h.Expected {
				row.Status = i18n.T(p.Lang, "holiday.status.expected", nil)
			}
			if c, ok := byDate[h.Date]; ok && c.Removed {
				row.Status, row.Changed, row.Removable, row.Removed = i18n.T(p.Lang, "holiday.status.removed", nil), true, false, true
			}
			d.Rows = append(d.Rows, row)
		}
	}
	for _, c := range changes {
		if !c.Removed {
			h := country.Holiday{Date: c.Date, Names: c.Names}
			d.Rows = append(d.Rows, holidayRow{Date: c.Date, Name: h.Name(i18n.Base(p.Lang)), Status: i18n.T(p.Lang, "holiday.status.added", nil), Changed: true})
		}
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Date < d.Rows[j].Date })
	for i := range d.Rows {
		d.Rows[i].DateText = isoText(p.Lang, d.Rows[i].Date)
	}
	for _, l := range w.nameLanguages() {
		d.Names = append(d.Names, catalogueName{Lang: l, Label: i18n.T(p.Lang, "catalogue.name_"+l, nil)})
	}
	p.Data = d
	return p, nil
}

func (w *Web) holidayList(rw http.ResponseWriter, r *http.Request) error {
	p, err := w.holidayPage(r)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "holidays", p)
}

// holidaySave adds a day off (action "add", with its names), removes a
// pack holiday ("remove") or undoes a change ("restore").
func (w *Web) holidaySave(rw http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	f := r.PostForm
	date := strings.TrimSpace(f.Get("date"))
	var err error
	switch f.Get("action") {
	case "remove":
		err = w.svc.Referral.PutHolidayChange(r.Context(), &country.HolidayChange{Date: date, Removed: true})
	case "restore":
		err = w.svc.Referral.DeleteHolidayChange(r.Context(), date)
	default:
		c := &country.HolidayChange{Date: date, Names: map[string]string{}}
		for _, l := range w.nameLanguages() {
			if n := strings.TrimSpace(f.Get("name_" + l)); n != "" {
				c.Names[l] = n
			}
		}
		err = w.svc.Referral.PutHolidayChange(r.Context(), c)
	}
	if err != nil {
		p, perr := w.holidayPage(r)
		if perr != nil {
			return perr
		}
		if ferr := formErrors(p, err, catalogueInputName); ferr != nil {
			return ferr
		}
		d := p.Data.(*holidayData)
		d.Date = date
		for i := range d.Names {
			d.Names[i].Value = f.Get("name_" + d.Names[i].Lang)
		}
		return w.render(rw, http.StatusBadRequest, "holidays", p)
	}
	http.Redirect(rw, r, "/holidays?ok=holiday.saved", http.StatusSeeOther)
	return nil
}
