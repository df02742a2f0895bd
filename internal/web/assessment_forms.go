package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/form"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/scoring"
)

// catalogueData is the forms and scoring-schemes page.
type catalogueData struct {
	Forms   []formRow
	Schemes []schemeRow
	// Problems lists what was wrong with an upload, each naming its place
	// (a cell such as survey!F7, or a JSON path).
	Problems []string
	Upload   string // "form" or "scheme": which upload the problems are about
}

type schemeRow struct {
	ID, Version, Status, StatusText, Source, Created, Description string
	Review                                                        bool
}

func (w *Web) catalogue(r *http.Request, lang string) (*catalogueData, error) {
	forms, err := w.svc.Assessment.ListForms(r.Context())
	if err != nil {
		return nil, err
	}
	schemes, err := w.svc.Assessment.ListSchemes(r.Context(), assessment.SchemeFilter{})
	if err != nil {
		return nil, err
	}
	d := &catalogueData{}
	for _, f := range forms {
		d.Forms = append(d.Forms, formRow{ID: f.FormID, Title: f.Title.Get(lang, "en"), Version: f.Version,
			Source: i18n.T(lang, "assessment.ui.source."+string(f.Source), nil), Used: f.Used})
	}
	for _, s := range schemes {
		d.Schemes = append(d.Schemes, schemeRow{ID: s.SchemeID, Version: s.Version, Status: string(s.Status),
			StatusText: i18n.T(lang, "assessment.ui.scheme.status."+string(s.Status), nil), Source: i18n.T(lang, "assessment.ui.source."+string(s.Source), nil),
			Created: isoText(lang, s.CreatedAt.Format(time.DateOnly)), Description: s.Description, Review: s.Status == assessment.SchemeReview})
	}
	return d, nil
}

func (w *Web) assessForms(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.forms.title", nil)
	d, err := w.catalogue(r, p.Lang)
	if err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_forms", p)
}

// problems lists a validation error's messages in lang, each prefixed by
// the place it names unless the message already starts with it.
func problems(lang string, err error) ([]string, bool) {
	var e *homeward.Error
	if !errors.As(err, &e) || e.Code != homeward.EINVALID {
		return nil, false
	}
	fields := e.Fields
	if len(fields) == 0 {
		fields = []homeward.FieldError{{Field: e.Field, Key: e.Key, Message: e.Message, Args: e.Args}}
	}
	var out []string
	for _, f := range fields {
		msg := i18n.FieldMessage(lang, f)
		if f.Field != "" && !bytes.HasPrefix([]byte(msg), []byte(f.Field)) {
			msg = f.Field + ": " + msg
		}
		out = append(out, msg)
	}
	return out, true
}

func assessUploadedFile(r *http.Request, limit int64) ([]byte, error) {
	file, _, err := r.FormFile("file")
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, httpx.TooLarge(limit)
	}
	if err != nil {
		return nil, homeward.FieldErrorf("file", "assessment.ui.upload.no_file", "Choose a file to upload.")
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &homeward.Error{Code: homeward.ETOOLARGE, Key: "error.body.too_large", Args: map[string]any{"limit": limit}, Message: "The file is too large."}
	}
	return b, nil
}

func (w *Web) uploadFailed(rw http.ResponseWriter, r *http.Request, p *page, which string, err error) error {
	msgs, ok := problems(p.Lang, err)
	if !ok {
		return err
	}
	d, cerr := w.catalogue(r, p.Lang)
	if cerr != nil {
		return cerr
	}
	d.Problems, d.Upload = msgs, which
	p.Error = i18n.T(p.Lang, "assessment.ui.upload.failed", nil)
	p.Data = d
	return w.render(rw, http.StatusBadRequest, "assessment_forms", p)
}

func (w *Web) assessFormUpload(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.forms.title", nil)
	if err := homeward.Authorize(p.Actor, homeward.ActFormManage, homeward.Resource{Type: "form"}); err != nil {
		return err
	}
	b, err := assessUploadedFile(r, form.MaxXLSFormSize)
	if err == nil {
		var f *form.Form
		if f, err = form.ParseXLSForm(bytes.NewReader(b)); err == nil {
			_, err = w.svc.Assessment.ImportForm(r.Context(), f)
		}
	}
	if err != nil {
		return w.uploadFailed(rw, r, p, "form", err)
	}
	http.Redirect(rw, r, "/assessments/forms?ok=assessment.ui.form.saved", http.StatusSeeOther)
	return nil
}

func (w *Web) assessSchemeUpload(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.forms.title", nil)
	if err := homeward.Authorize(p.Actor, homeward.ActSchemeManage, homeward.Resource{Type: "scheme"}); err != nil {
		return err
	}
	b, err := assessUploadedFile(r, scoring.MaxSchemeSize)
	var sv *assessment.SchemeVersion
	if err == nil {
		var s *scoring.Scheme
		if s, err = scoring.ParseScheme(bytes.NewReader(b)); err == nil {
			sv, err = w.svc.Assessment.UploadScheme(r.Context(), s)
		}
	}
	if err != nil {
		return w.uploadFailed(rw, r, p, "scheme", err)
	}
	http.Redirect(rw, r, schemeURL(sv)+"?ok=assessment.ui.scheme.saved", http.StatusSeeOther)
	return nil
}

func schemeURL(sv *assessment.SchemeVersion) string {
	return "/assessments/schemes/" + url.PathEscape(sv.SchemeID) + "/" + url.PathEscape(sv.Version)
}

func (w *Web) assessSchemeCalibrate(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.forms.title", nil)
	id, err := pathSlug(r, "scheme")
	if err != nil {
		return err
	}
	sv, err := w.svc.Assessment.CalibrateScheme(r.Context(), id, "", r.PostFormValue("version"))
	if err != nil {
		return w.uploadFailed(rw, r, p, "scheme", err)
	}
	http.Redirect(rw, r, schemeURL(sv)+"?ok=assessment.ui.scheme.saved", http.StatusSeeOther)
	return nil
}

func (w *Web) assessSchemeActivate(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathSlug(r, "scheme")
	if err != nil {
		return err
	}
	v, err := pathSlug(r, "version")
	if err != nil {
		return err
	}
	sv, err := w.svc.Assessment.ActivateScheme(r.Context(), id, v)
	if err != nil {
		return err
	}
	http.Redirect(rw, r, schemeURL(sv)+"?ok=assessment.ui.scheme.activated", http.StatusSeeOther)
	return nil
}

type schemeData struct {
	Row        schemeRow
	JSON       string
	Dimensions []dimensionReport
	Rows       int
	Warnings   []string
	Activated  string
}

type dimensionReport struct {
	ID, Variance string
	Weights      []weightRow
}

type weightRow struct{ ID, Weight, Loading string }

func (w *Web) assessSchemeView(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.scheme.title", nil)
	id, err := pathSlug(r, "scheme")
	if err != nil {
		return err
	}
	v, err := pathSlug(r, "version")
	if err != nil {
		return err
	}
	sv, err := w.svc.Assessment.FindScheme(r.Context(), id, v)
	if err != nil {
		return err
	}
	lang := p.Lang
	d := schemeData{Row: schemeRow{ID: sv.SchemeID, Version: sv.Version, Status: string(sv.Status), StatusText: i18n.T(lang, "assessment.ui.scheme.status."+string(sv.Status), nil),
		Source: i18n.T(lang, "assessment.ui.source."+string(sv.Source), nil), Created: isoText(lang, sv.CreatedAt.Format(time.DateOnly)),
		Description: sv.Description, Review: sv.Status == assessment.SchemeReview}, JSON: string(sv.Scheme.MarshalIndent())}
	if sv.ActivatedAt != nil {
		d.Activated = isoText(lang, sv.ActivatedAt.Format(time.DateOnly))
	}
	if c := sv.Calibration; c != nil {
		d.Rows, d.Warnings = c.Rows, c.Warnings
		reports := append([]scoring.ComponentReport(nil), c.Dimensions...)
		if c.Composite != nil {
			reports = append(reports, *c.Composite)
		}
		for _, cr := range reports {
			dr := dimensionReport{ID: cr.ID, Variance: i18n.Digits(lang, formatPercent(cr.VarianceExplained))}
			ids := make([]string, 0, len(cr.Weights))
			for k := range cr.Weights {
				ids = append(ids, k)
			}
			sort.Strings(ids)
			for _, k := range ids {
				dr.Weights = append(dr.Weights, weightRow{ID: k, Weight: i18n.Digits(lang, formatFloat(cr.Weights[k], 3)), Loading: i18n.Digits(lang, formatFloat(cr.Loadings[k], 4))})
			}
			d.Dimensions = append(d.Dimensions, dr)
		}
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_scheme", p)
}

func formatFloat(x float64, places int) string {
	b, _ := json.Marshal(roundTo(x, places))
	return string(b)
}

func roundTo(x float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	if x < 0 {
		return -float64(int64(-x*p+0.5)) / p
	}
	return float64(int64(x*p+0.5)) / p
}

func formatPercent(x float64) string { return formatFloat(100*x, 1) + "%" }

type formViewData struct {
	Row      formRow
	Versions []formRow
	Items    []itemView
	Builtin  bool
}

func (w *Web) assessFormView(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "assessment.ui.forms.title", nil)
	id, err := pathSlug(r, "form")
	if err != nil {
		return err
	}
	fv, err := w.svc.Assessment.FindForm(r.Context(), id, r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	versions, err := w.svc.Assessment.FormVersions(r.Context(), id)
	if err != nil {
		return err
	}
	lang := p.Lang
	d := formViewData{Row: formRow{ID: fv.FormID, Title: fv.Title.Get(lang, "en"), Version: fv.Version, Source: i18n.T(lang, "assessment.ui.source."+string(fv.Source), nil), Used: fv.Used},
		Items: buildItems(fv.Form, lang, map[string]any{}, nil, w.clock(r).Local(), "")}
	for _, v := range versions {
		d.Versions = append(d.Versions, formRow{ID: v.FormID, Version: v.Version, Source: i18n.T(lang, "assessment.ui.source."+string(v.Source), nil), Used: v.Used})
	}
	p.Title = d.Row.Title
	p.Data = d
	return w.render(rw, http.StatusOK, "assessment_form", p)
}
