package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"regexp"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/form"
	"homeward/internal/httpx"
	"homeward/internal/scoring"
)

func (a *API) routesAssessment() {
	a.handle("GET", "/api/v1/forms", a.listForms)
	a.handle("POST", "/api/v1/forms", a.importForm)
	a.handle("GET", "/api/v1/forms/{form}", a.getForm)
	a.handle("GET", "/api/v1/forms/{form}/versions", a.formVersions)
	a.handle("GET", "/api/v1/schemes", a.listSchemes)
	a.handle("POST", "/api/v1/schemes", a.uploadScheme)
	a.handle("GET", "/api/v1/schemes/{scheme}/versions/{version}", a.getScheme)
	a.handle("POST", "/api/v1/schemes/{scheme}/versions/{version}/activate", a.activateScheme)
	a.handle("POST", "/api/v1/schemes/{scheme}/calibrate", a.calibrateScheme)
	a.handle("GET", "/api/v1/people/{id}/assessments", a.personAssessments)
	a.handle("POST", "/api/v1/people/{id}/assessments", a.createAssessment)
	a.handle("GET", "/api/v1/assessments/{id}", a.getAssessment)
	a.handle("PATCH", "/api/v1/assessments/{id}", a.updateAssessment)
	a.handle("GET", "/api/v1/follow-ups", a.followUps)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$`)

// pathName reads a form or scheme id (or a version) from the path; junk is
// not found.
func pathName(r *http.Request, key string) (string, error) {
	s := r.PathValue(key)
	if !nameRE.MatchString(s) {
		return "", homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	return s, nil
}

func (a *API) listForms(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Assessment.ListForms(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*assessment.FormVersion]{Items: list})
	return nil
}

func (a *API) getForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathName(r, "form")
	if err != nil {
		return err
	}
	fv, err := a.svc.Assessment.FindForm(r.Context(), id, r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, fv)
	return nil
}

func (a *API) formVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathName(r, "form")
	if err != nil {
		return err
	}
	list, err := a.svc.Assessment.FormVersions(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*assessment.FormVersion]{Items: list})
	return nil
}

// importForm takes an XLSForm workbook as the request body. Problems name
// the sheet, row and column ("survey!F7").
func (a *API) importForm(w http.ResponseWriter, r *http.Request) error {
	// Whoever may not manage forms is refused before a byte is read (the
	// service checks again).
	if err := homeward.Authorize(homeward.ActorFromContext(r.Context()), homeward.ActFormManage, homeward.Resource{Type: "form"}); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, form.MaxXLSFormSize))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return httpx.TooLarge(form.MaxXLSFormSize)
	} else if err != nil {
		return err
	}
	f, err := ParseXLSForm(body)
	if err != nil {
		return err
	}
	fv, err := a.svc.Assessment.ImportForm(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/forms/"+fv.FormID+"?version="+fv.Version)
	httpx.JSON(w, http.StatusCreated, fv)
	return nil
}

// ParseXLSForm reads an uploaded workbook; an empty body is an error of its
// own so that the message says what to send.
func ParseXLSForm(body []byte) (*form.Form, error) {
	if len(body) == 0 {
		return nil, &homeward.Error{Code: homeward.EINVALID, Key: "error.body.empty", Message: "The request body is empty."}
	}
	return form.ParseXLSForm(bytes.NewReader(body))
}

func (a *API) listSchemes(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Assessment.ListSchemes(r.Context(), assessment.SchemeFilter{SchemeID: r.URL.Query().Get("scheme_id")})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*assessment.SchemeVersion]{Items: list})
	return nil
}

// uploadScheme takes a scheme file as the body; it is stored for review.
func (a *API) uploadScheme(w http.ResponseWriter, r *http.Request) error {
	if err := homeward.Authorize(homeward.ActorFromContext(r.Context()), homeward.ActSchemeManage, homeward.Resource{Type: "scheme"}); err != nil {
		return err
	}
	s, err := scoring.ParseScheme(http.MaxBytesReader(w, r.Body, scoring.MaxSchemeSize))
	if err != nil {
		return err
	}
	sv, err := a.svc.Assessment.UploadScheme(r.Context(), s)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/schemes/"+sv.SchemeID+"/versions/"+sv.Version)
	httpx.JSON(w, http.StatusCreated, sv)
	return nil
}

func schemePath(r *http.Request) (string, string, error) {
	id, err := pathName(r, "scheme")
	if err != nil {
		return "", "", err
	}
	v, err := pathName(r, "version")
	return id, v, err
}

func (a *API) getScheme(w http.ResponseWriter, r *http.Request) error {
	id, v, err := schemePath(r)
	if err != nil {
		return err
	}
	sv, err := a.svc.Assessment.FindScheme(r.Context(), id, v)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, sv)
	return nil
}

func (a *API) activateScheme(w http.ResponseWriter, r *http.Request) error {
	id, v, err := schemePath(r)
	if err != nil {
		return err
	}
	sv, err := a.svc.Assessment.ActivateScheme(r.Context(), id, v)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, sv)
	return nil
}

// CalibrateInput names the version to start from and the new version.
type CalibrateInput struct {
	From    string `json:"from,omitempty"`
	Version string `json:"version,omitempty"`
}

func (a *API) calibrateScheme(w http.ResponseWriter, r *http.Request) error {
	id, err := pathName(r, "scheme")
	if err != nil {
		return err
	}
	var in CalibrateInput
	if r.ContentLength != 0 {
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
	}
	sv, err := a.svc.Assessment.CalibrateScheme(r.Context(), id, in.From, in.Version)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/schemes/"+sv.SchemeID+"/versions/"+sv.Version)
	httpx.JSON(w, http.StatusCreated, sv)
	return nil
}

func (a *API) personAssessments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ov, err := a.svc.Assessment.PersonOverview(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, ov)
	return nil
}

func (a *API) createAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in assessment.Input
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	sub, err := a.svc.Assessment.CreateSubmission(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(sub.Version))
	w.Header().Set("Location", "/api/v1/assessments/"+sub.ID)
	httpx.JSON(w, http.StatusCreated, sub)
	return nil
}

func (a *API) getAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sub, err := a.svc.Assessment.FindSubmission(r.Context(), id)
	if err != nil {
		return err
	}
	if sub.Protected() {
		if err := a.svc.Audit.RecordRead(r.Context(), homeward.RecordRead{Action: "assessment.read", RecordType: "assessment", RecordID: sub.ID, OrgID: sub.OrgID,
			Detail: map[string]any{"via": "api", "person_id": sub.PersonID, "form": sub.FormID}}); err != nil {
			return err
		}
	}
	w.Header().Set("ETag", httpx.ETag(sub.Version))
	httpx.JSON(w, http.StatusOK, sub)
	return nil
}

func (a *API) updateAssessment(w http.ResponseWriter, r *http.Request) error {
	id, version, in, err := decodeUpdate[assessment.Input](a, w, r)
	if err != nil {
		return err
	}
	sub, err := a.svc.Assessment.UpdateSubmission(r.Context(), id, version, in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(sub.Version))
	httpx.JSON(w, http.StatusOK, sub)
	return nil
}

func (a *API) followUps(w http.ResponseWriter, r *http.Request) error {
	f := assessment.TaskFilter{AssignedTo: r.URL.Query().Get("assigned_to")}
	if f.AssignedTo != "" && !homeward.ValidID(f.AssignedTo) {
		return homeward.FieldErrorf("assigned_to", "error.field.invalid_choice", "%q is not one of the allowed values.", f.AssignedTo)
	}
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	f.Limit = limit
	tasks, err := a.svc.Assessment.FollowUpTasks(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[assessment.Task]{Items: tasks})
	return nil
}
