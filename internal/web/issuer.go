package web

import (
	"net/http"

	"homeward"
)

// routesIssuer registers the organisation's certificate signing for its
// administrator — its keys with their fingerprints, rotation, and the DID
// it issues as — and, for anyone, the DID documents of organisations'
// did:web identifiers.
func (w *Web) routesIssuer() {
	w.handle("GET /issuer", w.issuerPage, true)
	w.handle("POST /issuer/rotate", w.issuerRotate, true)
	w.handle("POST /issuer/did", w.issuerDID, true)
	w.mux.HandleFunc("GET /orgs/{id}/did.json", w.didDocument)
	w.flash("rpl.ui.key_rotated", "rpl.ui.did_saved")
}

type issuerKeyView struct {
	Multibase, Fingerprint, Created, Retired string
}

type issuerView struct {
	Method, DIDWeb, DIDKey string
	Current                *issuerKeyView
	Retired                []issuerKeyView
}

func (w *Web) issuerPage(rw http.ResponseWriter, r *http.Request) error {
	return w.showIssuer(rw, r, http.StatusOK, nil)
}

func (w *Web) showIssuer(rw http.ResponseWriter, r *http.Request, status int, refused error) error {
	p := w.newPage(r, "rpl.ui.issuer_title", nil)
	if !p.Can(string(homeward.ActRPLAssessorAdmin)) {
		return forbidden()
	}
	info, err := w.svc.RPL.Issuer(r.Context())
	if err != nil {
		return err
	}
	loc := w.clock(r).Location()
	v := &issuerView{Method: info.Method, DIDWeb: info.DIDWeb}
	for _, k := range info.Keys {
		kv := issuerKeyView{Multibase: k.PublicKeyMultibase, Fingerprint: k.Fingerprint, Created: timeText(p.Lang, loc, k.CreatedAt)}
		if k.RetiredAt == nil {
			if v.Current == nil {
				v.Current, v.DIDKey = &kv, "did:key:"+k.PublicKeyMultibase
			}
			continue
		}
		kv.Retired = timeText(p.Lang, loc, *k.RetiredAt)
		v.Retired = append(v.Retired, kv)
	}
	if refused != nil {
		if status, err = refusal(p, refused, nil); err != nil {
			return err
		}
	}
	p.Data = v
	return w.render(rw, status, "issuer", p)
}

// issuerRotate retires the signing key and makes a new one, once the
// administrator confirms; certificates signed before still verify.
func (w *Web) issuerRotate(rw http.ResponseWriter, r *http.Request) error {
	if r.PostFormValue("confirm") != "yes" {
		return w.showIssuer(rw, r, http.StatusBadRequest, homeward.FieldErrorf("confirm", "rpl.ui.rotate_confirm_needed", "Tick the box to confirm the rotation."))
	}
	if err := w.svc.RPL.RotateIssuerKey(r.Context()); err != nil {
		return w.showIssuer(rw, r, http.StatusBadRequest, err)
	}
	http.Redirect(rw, r, "/issuer?ok=rpl.ui.key_rotated", http.StatusSeeOther)
	return nil
}

// issuerDID chooses the DID the next certificates are issued as.
func (w *Web) issuerDID(rw http.ResponseWriter, r *http.Request) error {
	if err := w.svc.RPL.SetIssuerDID(r.Context(), r.PostFormValue("method")); err != nil {
		return w.showIssuer(rw, r, http.StatusBadRequest, err)
	}
	http.Redirect(rw, r, "/issuer?ok=rpl.ui.did_saved", http.StatusSeeOther)
	return nil
}

// didDocument serves an organisation's did:web DID document (its keys,
// current and retired), for verifiers anywhere.
func (w *Web) didDocument(rw http.ResponseWriter, r *http.Request) {
	org := r.PathValue("id")
	b, err := w.svc.RPL.DIDDocument(r.Context(), org)
	if err != nil {
		w.errorPage(rw, r, err)
		return
	}
	rw.Header().Set("Content-Type", "application/did+ld+json")
	rw.Header().Set("Access-Control-Allow-Origin", "*")
	rw.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = rw.Write(b)
}
