package web

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/i18n"
	"homeward/internal/referral"
)

// The service catalogue: the tree of service types that plans, referrals
// and the directory name. Everyone who refers may read it; the operator's
// administrators add types, rename them, choose what a referral shares and
// withdraw them.

func (w *Web) routesCatalogue() {
	w.handle("GET /services", w.catalogueList, true)
	w.handle("GET /services/new", w.catalogueNew, true)
	w.handle("GET /services/{code}/edit", w.catalogueEdit, true)
	w.handle("POST /services", w.catalogueSave, true)
}

type catalogueRow struct {
	Code, Name, Kind, Shared string
	// Provider is the national body that provides a type of the
	// country's catalogue, in the reader's language.
	Provider string
	Depth    int
	Active   bool
}

type serviceCatalogueData struct {
	Rows   []catalogueRow
	Manage bool
}

func (w *Web) catalogueList(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "catalogue.title", nil)
	if !p.Can(string(homeward.ActProviderRead)) {
		return forbidden()
	}
	names, types := w.serviceNames(r, p.Lang)
	d := &serviceCatalogueData{Manage: homeward.Can(p.Actor, homeward.ActServiceTypeManage, homeward.Resource{Type: "service_type"})}
	// Depth-first, in catalogue order: children under their parent.
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, t := range types {
			if t.Parent != parent {
				continue
			}
			shared := make([]string, len(t.Shared))
			for i, f := range t.Shared {
				shared[i] = label(p.Lang, "referral.field", string(f))
			}
			d.Rows = append(d.Rows, catalogueRow{Code: t.Code, Name: nameOr(names, t.Code), Kind: label(p.Lang, "referral.kind", string(t.Kind)),
				Shared: strings.Join(shared, ", "), Depth: depth, Active: t.Active, Provider: providerName(p.Lang, t)})
			walk(t.Code, depth+1)
		}
	}
	walk("", 0)
	p.Data = d
	return w.render(rw, http.StatusOK, "catalogue_list", p)
}

type catalogueForm struct {
	New            bool
	Type           referral.ServiceType
	Parents, Kinds []option
	Fields         []option
	Shared         []string
	// Names are the name inputs, one per language of the instance.
	Names    []catalogueName
	Std      string
	Provider string
}

// catalogueName is one language's name input of the catalogue form.
type catalogueName struct {
	Lang, Label, Value string
}

// nameLanguages are the languages a service type is named in on the form:
// English, then the instance's country's other interface languages.
func (w *Web) nameLanguages() []string {
	out := []string{"en"}
	if p := country.Lookup(w.country()); p != nil {
		for _, l := range p.Languages {
			if l != "en" {
				out = append(out, l)
			}
		}
	}
	return out
}

func (w *Web) catalogueFormPage(r *http.Request, t referral.ServiceType, isNew bool) *page {
	title := "catalogue.edit_title"
	if isNew {
		title = "catalogue.new_title"
	}
	p := w.newPage(r, title, nil)
	names, types := w.serviceNames(r, p.Lang)
	f := &catalogueForm{New: isNew, Type: t}
	for _, l := range w.nameLanguages() {
		f.Names = append(f.Names, catalogueName{Lang: l, Label: i18n.T(p.Lang, "catalogue.name_"+l, nil), Value: t.Names[l]})
	}
	f.Provider = providerName(p.Lang, t)
	for _, x := range types {
		if x.Code != t.Code {
			f.Parents = append(f.Parents, option{x.Code, nameOr(names, x.Code)})
		}
	}
	f.Kinds = options(p.Lang, "referral.kind", referral.Kinds)
	f.Fields = options(p.Lang, "referral.field", referral.Fields)
	for _, x := range t.Shared {
		f.Shared = append(f.Shared, string(x))
	}
	if t.Standard {
		f.Std = serviceLabel(p.Lang, referral.ServiceType{Code: t.Code})
	}
	p.Data = f
	return p
}

// providerName is the national provider of t in lng, or in English.
func providerName(lng string, t referral.ServiceType) string {
	if n := t.Provider[i18n.Base(lng)]; n != "" {
		return n
	}
	return t.Provider["en"]
}

func (w *Web) mayManageCatalogue(r *http.Request) bool {
	return homeward.Can(homeward.ActorFromContext(r.Context()), homeward.ActServiceTypeManage, homeward.Resource{Type: "service_type"})
}

func (w *Web) catalogueNew(rw http.ResponseWriter, r *http.Request) error {
	if !w.mayManageCatalogue(r) {
		return forbidden()
	}
	t := referral.ServiceType{Kind: referral.KindGeneric, Active: true, Shared: []referral.Field{referral.FieldName, referral.FieldPhone, referral.FieldDistrict}}
	return w.render(rw, http.StatusOK, "catalogue_form", w.catalogueFormPage(r, t, true))
}

func (w *Web) catalogueEdit(rw http.ResponseWriter, r *http.Request) error {
	if !w.mayManageCatalogue(r) {
		return forbidden()
	}
	code := r.PathValue("code")
	_, types := w.serviceNames(r, "en")
	i := slices.IndexFunc(types, func(t referral.ServiceType) bool { return t.Code == code })
	if i < 0 {
		return notFound()
	}
	return w.render(rw, http.StatusOK, "catalogue_form", w.catalogueFormPage(r, types[i], false))
}

// catalogueInputName is the form's input for a field of a service type:
// a name's "names.bn" is "name_bn".
func catalogueInputName(field string) string {
	if lang, ok := strings.CutPrefix(field, "names."); ok {
		return "name_" + lang
	}
	return field
}

// catalogueSave adds a type (new=true, the code from the form) or replaces
// an existing one.
func (w *Web) catalogueSave(rw http.ResponseWriter, r *http.Request) error {
	if !w.mayManageCatalogue(r) {
		return forbidden()
	}
	_ = r.ParseForm()
	f := r.PostForm
	isNew := f.Get("new") == "true"
	t := referral.ServiceType{Code: strings.TrimSpace(f.Get("code")), Parent: f.Get("parent"), Kind: referral.Kind(f.Get("kind")), Active: f.Get("active") == "true"}
	for _, x := range f["shared"] {
		t.Shared = append(t.Shared, referral.Field(x))
	}
	_, types := w.serviceNames(r, "en")
	i := slices.IndexFunc(types, func(x referral.ServiceType) bool { return x.Code == t.Code })
	exists := i >= 0
	if exists && !isNew {
		// The form edits the names in the instance's languages; names in
		// others, and the national provider, stay as they were.
		t.Names, t.Provider = maps.Clone(types[i].Names), types[i].Provider
	}
	for _, lang := range w.nameLanguages() {
		if n := strings.TrimSpace(f.Get("name_" + lang)); n != "" {
			if t.Names == nil {
				t.Names = map[string]string{}
			}
			t.Names[lang] = n
		} else {
			delete(t.Names, lang)
		}
	}
	if len(t.Names) == 0 {
		t.Names = nil
	}
	var err error
	switch {
	case isNew && exists:
		err = homeward.FieldErrorf("code", "catalogue.code_taken", "A service type with this code exists already.")
	case !isNew && !exists:
		return notFound()
	case isNew && len(t.Names) == 0:
		err = homeward.FieldErrorf("name_en", "catalogue.name_required", "Give the new service type a name.")
	default:
		err = w.svc.Referral.PutServiceType(r.Context(), &t)
	}
	if err != nil {
		p := w.catalogueFormPage(r, t, isNew)
		if code := homeward.ErrorCode(err); code == homeward.EINVALID {
			if ferr := formErrors(p, err, catalogueInputName); ferr != nil {
				return ferr
			}
			return w.render(rw, http.StatusBadRequest, "catalogue_form", p)
		}
		return err
	}
	http.Redirect(rw, r, "/services?ok=catalogue.saved", http.StatusSeeOther)
	return nil
}
