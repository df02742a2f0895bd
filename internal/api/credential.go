package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"homeward"
	"homeward/internal/credential"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/rpl"
)

func (a *API) routesCredential() {
	a.handle("GET", "/api/v1/credentials", a.listCredentials)
	a.handle("GET", "/api/v1/credentials/{id}", a.getCredential)
	a.handle("POST", "/api/v1/credentials/verify", a.verifyCredential)
}

// credentialItem is a certificate in the issuing organisation's list.
type credentialItem struct {
	ID          string     `json:"id"`
	CaseNumber  string     `json:"case_number"`
	Standard    string     `json:"standard"`
	Achievement string     `json:"achievement"`
	Status      string     `json:"status"`
	IssuedAt    time.Time  `json:"issued_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// listCredentials lists the certificates the caller's organisation issued:
// ?status=active|revoked.
func (a *API) listCredentials(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.RPL.Credentials(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	cat := a.svc.RPL.RPLCatalogue()
	out := make([]credentialItem, 0, len(list))
	for _, c := range list {
		it := credentialItem{ID: c.ID, CaseNumber: c.CaseNumber, Standard: c.Standard, Status: c.Status(), IssuedAt: c.IssuedAt, RevokedAt: c.RevokedAt}
		if s := cat.Standard(c.Standard); s != nil {
			it.Achievement = rpl.Text(s.Name, httpx.Locale(r))
		}
		out = append(out, it)
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// getCredential returns a certificate exactly as issued: as
// application/vc+ld+json when the caller accepts it, else application/json.
func (a *API) getCredential(w http.ResponseWriter, r *http.Request) error {
	c, err := a.svc.RPL.Credential(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ct := "application/json"
	if strings.Contains(r.Header.Get("Accept"), "application/vc+ld+json") {
		ct = "application/vc+ld+json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(c.Document)
	return err
}

// verifyCredential verifies a certificate sent as the body (at most
// credential.MaxDocument bytes), for anyone, without signing in: the
// verdict says what the certificate says and whether it holds — nothing
// else about the person.
func (a *API) verifyCredential(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.content_type", Message: "Send the body as application/json."}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, credential.MaxDocument))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &homeward.Error{Code: homeward.ETOOLARGE, Key: "error.body.too_large", Args: map[string]any{"limit": credential.MaxDocument},
			Message: fmt.Sprintf("The request is larger than %d bytes.", credential.MaxDocument)}
	} else if err != nil {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": "unreadable body"}, Message: "The request body could not be read."}
	}
	v := rpl.Verify(r.Context(), a.svc.RPL, body, a.svc.Clock.Time())
	if v.ReasonKey != "" {
		v.Reason = i18n.T(httpx.Locale(r), v.ReasonKey, nil)
	}
	httpx.JSON(w, http.StatusOK, v)
	return nil
}
