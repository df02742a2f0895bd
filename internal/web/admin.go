package web

import (
	"net/http"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/reference"
)

type orgListData struct {
	Orgs  []*homeward.Organisation
	Next  string
	Query string
}

func (w *Web) orgList(rw http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	f := homeward.OrganisationFilter{After: r.URL.Query().Get("cursor"), Limit: 50}
	if q != "" {
		f.Query = &q
	}
	orgs, next, err := w.svc.Orgs.FindOrganisations(r.Context(), f)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "orgs", w.newPage(r, "org.list.title", orgListData{Orgs: orgs, Next: next, Query: q}))
}

type orgFormData struct {
	Org       *homeward.Organisation
	AreasText string
	Types     []homeward.OrgType
	Countries []*reference.Country
	New       bool
	// Zones suggests the time zones of the countries Homeward serves first;
	// any IANA zone is accepted. InstanceZone is the one an empty field means.
	Zones        []string
	InstanceZone string
}

// suggestedZones are offered in the organisation form: the countries of
// return and the main countries of destination of the Silk Routes region.
var suggestedZones = []string{"Asia/Dhaka", "Asia/Karachi", "Asia/Baghdad", "Asia/Kabul", "Asia/Kathmandu", "Asia/Kolkata",
	"Asia/Colombo", "Asia/Tehran", "Asia/Riyadh", "Asia/Dubai", "Asia/Qatar", "Asia/Kuwait", "Asia/Muscat", "Asia/Bahrain",
	"Asia/Kuala_Lumpur", "Asia/Singapore", "Europe/Istanbul", "Europe/Rome", "Europe/Berlin", "Europe/London", "UTC"}

func (w *Web) orgFormPage(r *http.Request, o *homeward.Organisation, isNew bool) *page {
	title := "org.edit"
	if isNew {
		title = "org.new"
	}
	return w.newPage(r, title, orgFormData{Org: o, AreasText: strings.Join(o.Areas, ", "), Types: homeward.OrgTypes,
		Countries: reference.SearchCountries("", 0), New: isNew, Zones: suggestedZones, InstanceZone: w.svc.Clock.Location().String()})
}

func (w *Web) orgNew(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActOrgCreate, homeward.Resource{}); err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "org_form", w.orgFormPage(r, &homeward.Organisation{Country: w.country(), Type: homeward.OrgNGO}, true))
}

func orgFromForm(r *http.Request) *homeward.Organisation {
	areas := strings.FieldsFunc(r.PostFormValue("areas"), func(c rune) bool { return c == ',' || c == '\n' || c == ' ' || c == '\r' || c == ';' })
	return &homeward.Organisation{Name: r.PostFormValue("name"), ShortName: r.PostFormValue("short_name"),
		Type: homeward.OrgType(r.PostFormValue("type")), Country: r.PostFormValue("country"), Areas: areas,
		TimeZone: r.PostFormValue("time_zone")}
}

func (w *Web) orgCreate(rw http.ResponseWriter, r *http.Request) error {
	o := orgFromForm(r)
	if err := w.svc.Orgs.CreateOrganisation(r.Context(), o); err != nil {
		p := w.orgFormPage(r, o, true)
		if err := formErrors(p, err, nil); err != nil {
			return err
		}
		return w.render(rw, http.StatusBadRequest, "org_form", p)
	}
	http.Redirect(rw, r, "/orgs?ok=org.saved", http.StatusSeeOther)
	return nil
}

func (w *Web) orgEdit(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	o, err := w.svc.Orgs.FindOrganisationByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := homeward.Authorize(homeward.ActorFromContext(r.Context()), homeward.ActOrgUpdate, homeward.Resource{ID: id, OrgID: id}); err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "org_form", w.orgFormPage(r, o, false))
}

func (w *Web) orgUpdate(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := orgFromForm(r)
	_, err := w.svc.Orgs.UpdateOrganisation(r.Context(), id, version, homeward.OrganisationUpdate{
		Name: &in.Name, ShortName: &in.ShortName, Type: &in.Type, Country: &in.Country, Areas: &in.Areas, TimeZone: &in.TimeZone})
	if err != nil {
		in.ID, in.Version = id, version
		p := w.orgFormPage(r, in, false)
		if homeward.ErrorCode(err) == homeward.EPRECONDITION {
			p.Error = i18n.Error(p.Lang, err)
			return w.render(rw, http.StatusPreconditionFailed, "org_form", p)
		}
		if err := formErrors(p, err, nil); err != nil {
			return err
		}
		return w.render(rw, http.StatusBadRequest, "org_form", p)
	}
	http.Redirect(rw, r, "/orgs?ok=org.saved", http.StatusSeeOther)
	return nil
}

type userListData struct {
	Users  []*homeward.User
	Next   string
	Org    *homeward.Organisation
	Grants []grantRow
}

func (w *Web) userList(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	users, next, err := w.svc.Users.FindUsers(r.Context(), homeward.UserFilter{After: r.URL.Query().Get("cursor"), Limit: 100})
	if err != nil {
		return err
	}
	org, err := w.svc.Orgs.FindOrganisationByID(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	grants, err := w.pendingGrants(r, users)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "users", w.newPage(r, "user.list.title", userListData{Users: users, Next: next, Org: org, Grants: grants}))
}

type userFormData struct {
	User  *homeward.User
	Roles []homeward.Role
	Has   map[homeward.Role]bool
}

func (w *Web) userFormPage(r *http.Request, u *homeward.User) *page {
	has := map[homeward.Role]bool{}
	for _, x := range u.Roles {
		has[x] = true
	}
	return w.newPage(r, "user.new", userFormData{User: u, Roles: homeward.Roles, Has: has})
}

func (w *Web) userNew(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActUserCreate, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "user_form", w.userFormPage(r, &homeward.User{Locale: httpx.Locale(r)}))
}

func (w *Web) userCreate(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	_ = r.ParseForm()
	u := &homeward.User{OrgID: a.OrgID, Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Locale: r.PostFormValue("locale")}
	for _, v := range r.PostForm["roles"] {
		u.Roles = append(u.Roles, homeward.Role(v))
	}
	if err := w.svc.Users.CreateUser(r.Context(), u, r.PostFormValue("password")); err != nil {
		p := w.userFormPage(r, u)
		if err := formErrors(p, err, nil); err != nil {
			return err
		}
		return w.render(rw, http.StatusBadRequest, "user_form", p)
	}
	flash := "user.created"
	if len(u.PendingRoles) > 0 {
		flash = "user.created.pending"
	}
	http.Redirect(rw, r, "/users?ok="+flash, http.StatusSeeOther)
	return nil
}

func (w *Web) userState(rw http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	disable := r.PostFormValue("disabled") == "true"
	if _, err := w.svc.Users.UpdateUser(r.Context(), id, version, homeward.UserUpdate{Disabled: &disable}); err != nil {
		return err
	}
	flash := "user.enabled"
	if disable {
		flash = "user.disabled"
	}
	http.Redirect(rw, r, "/users?ok="+flash, http.StatusSeeOther)
	return nil
}
