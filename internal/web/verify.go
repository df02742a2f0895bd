package web

import (
	"io"
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/credential"
	"homeward/internal/i18n"
	"homeward/internal/rpl"
)

// routesVerify registers what anyone may use without signing in: the
// verification page of certificates (by the id a printed QR code carries,
// or a credential file pasted or uploaded) and the organisations'
// revocation lists.
func (w *Web) routesVerify() {
	w.handle("GET /verify", w.verifyPage, false)
	w.serve("POST /verify", w.verifyPost, false, credential.MaxDocument+uploadSlack, nil)
	w.mux.HandleFunc("GET /credentials/status/{org}", w.statusList)
}

type verifyView struct {
	Checked bool
	Verdict *rpl.Verdict
	Status  string // translated
	Reason  string // translated
	Pasted  string
}

// verifyPage is the public verification page; with ?id= (the printed QR
// code) it verifies the certificate of that id that this instance issued.
func (w *Web) verifyPage(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "rpl.ui.verify_title", nil)
	v := &verifyView{}
	if id := r.URL.Query().Get("id"); id != "" {
		if len(id) > 200 {
			return notFound()
		}
		ps, err := w.svc.RPL.PublicCredential(r.Context(), id)
		if err != nil {
			return err
		}
		w.judge(r, p.Lang, v, ps.Document)
	}
	p.Data = v
	return w.render(rw, http.StatusOK, "verify", p)
}

// verifyPost verifies a credential pasted into the page or uploaded as a
// file (at most credential.MaxDocument bytes).
func (w *Web) verifyPost(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "rpl.ui.verify_title", nil)
	v := &verifyView{Pasted: r.PostFormValue("credential")}
	doc := []byte(strings.TrimSpace(v.Pasted))
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, credential.MaxDocument+1))
		if err != nil {
			return err
		}
		if len(b) > credential.MaxDocument {
			p.Errors = map[string]string{"file": i18n.T(p.Lang, "rpl.ui.verify_too_big", map[string]any{"n": i18n.Number(p.Lang, credential.MaxDocument>>10)})}
			p.Data = v
			return w.render(rw, http.StatusRequestEntityTooLarge, "verify", p)
		}
		if len(b) > 0 {
			doc = b
		}
	}
	if len(doc) == 0 {
		p.Errors = map[string]string{"credential": i18n.T(p.Lang, "rpl.ui.verify_empty", nil)}
		p.Data = v
		return w.render(rw, http.StatusBadRequest, "verify", p)
	}
	if len(doc) > credential.MaxDocument {
		p.Errors = map[string]string{"credential": i18n.T(p.Lang, "rpl.ui.verify_too_big", map[string]any{"n": i18n.Number(p.Lang, credential.MaxDocument>>10)})}
		p.Data = v
		return w.render(rw, http.StatusRequestEntityTooLarge, "verify", p)
	}
	w.judge(r, p.Lang, v, doc)
	p.Data = v
	return w.render(rw, http.StatusOK, "verify", p)
}

// judge verifies doc into v, its words in lng.
func (w *Web) judge(r *http.Request, lng string, v *verifyView, doc []byte) {
	v.Checked = true
	v.Verdict = rpl.Verify(r.Context(), w.svc.RPL, doc, w.svc.Clock.Time())
	v.Status = i18n.T(lng, "rpl.ui.cert_status."+v.Verdict.Status, nil)
	if v.Verdict.ReasonKey != "" {
		v.Reason = i18n.T(lng, v.Verdict.ReasonKey, nil)
	}
}

// statusList publishes an organisation's revocation list (a signed
// BitstringStatusListCredential), for verifiers anywhere.
func (w *Web) statusList(rw http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	if !homeward.ValidID(org) {
		http.NotFound(rw, r)
		return
	}
	b, err := w.svc.RPL.StatusList(r.Context(), org)
	if err != nil {
		w.errorPage(rw, r, err)
		return
	}
	rw.Header().Set("Content-Type", "application/vc+ld+json")
	rw.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = rw.Write(b)
}
