package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/rpl"
)

// routesSkills registers recognition of prior learning on a person's
// skills page — the application with evidence, a registered assessor's
// results per unit, a supervisor's sign-off, the certificate issued,
// printed and revoked — and the administrator's register of assessors.
func (w *Web) routesSkills() {
	w.handle("GET /people/{id}/skills", w.skillsPage, true)
	w.upload("POST /people/{id}/skills", w.skillsApply, maxEvidenceUpload, mayApplyRPL)
	w.upload("POST /people/{id}/skills/{aid}/evidence", w.skillsAttach, maxEvidenceUpload, mayApplyRPL)
	w.handle("GET /rpl/evidence/{fid}", w.evidenceDownload, true)
	w.handle("POST /people/{id}/skills/{aid}/results", w.skillsRecord, true)
	w.handle("POST /people/{id}/skills/{aid}/signoff", w.skillsSignOff, true)
	w.handle("POST /people/{id}/skills/{aid}/issue", w.skillsIssue, true)
	w.handle("POST /people/{id}/skills/{aid}/reassess", w.skillsReassess, true)
	w.handle("POST /people/{id}/skills/{aid}/schedule", w.skillsSchedule, true)
	w.handle("POST /people/{id}/certificates/revoke", w.skillsRevoke, true)
	w.handle("GET /certificates/print", w.certificatePrint, true)
	w.handle("GET /skills", w.skillsWork, true)
	w.handle("GET /assessors", w.assessorsPage, true)
	w.handle("POST /assessors", w.assessorRegister, true)
	w.flash("rpl.ui.scheduled_ok", "rpl.ui.reassess_started", "rpl.ui.applied", "rpl.ui.recorded", "rpl.ui.signed_off", "rpl.ui.issued", "rpl.ui.revoked", "rpl.ui.assessor_saved", "rpl.ui.files_attached")
}

type unitView struct {
	Code, Name, Result, Note string
}

type assessmentView struct {
	ID, Standard, StandardName, Status, Decision, Assessed, SignedOff string
	Scheduled, ScheduledDay, Centre                                   string
	Version                                                           int
	Evidence, Gaps                                                    []string
	Units                                                             []unitView
	CanRecord, CanSignOff, CanIssue, Certified, Applied, CanReassess  bool
	CanSchedule, CanAttach                                            bool
	Files                                                             []fileView
	Previous                                                          bool // a re-assessment
}

type certificateView struct {
	ID, Achievement, Issued, Status, RevokeReason string
	Revoked                                       bool
}

type skillsView struct {
	PersonID, Name, CaseNumber string
	Standards                  []option
	EvidenceKinds              []option
	Assessments                []assessmentView
	Certificates               []certificateView
	CanApply, CanRevoke        bool
	Standard                   string // typed, on a refused application
}

// skillsData gathers the skills page of person id.
func (w *Web) skillsData(r *http.Request, id string) (*skillsView, error) {
	ctx := r.Context()
	subj, err := w.svc.RPL.RPLSubject(ctx, id)
	if err != nil {
		return nil, err
	}
	lng := lang(r)
	a := homeward.ActorFromContext(ctx)
	cat := w.svc.RPL.RPLCatalogue()
	v := &skillsView{PersonID: id, Name: subj.Name, CaseNumber: subj.CaseNumber,
		CanApply:  homeward.Can(a, homeward.ActRPLApply, homeward.Resource{OrgID: subj.OrgID}),
		CanRevoke: homeward.Can(a, homeward.ActCredentialRevoke, homeward.Resource{OrgID: subj.OrgID})}
	for _, s := range cat.Standards {
		v.Standards = append(v.Standards, option{s.Code, rpl.Text(s.Name, lng) + " — " + i18n.T(lng, "rpl.ui.level", map[string]any{"n": i18n.Number(lng, s.Level)})})
	}
	for _, k := range rpl.EvidenceKinds {
		v.EvidenceKinds = append(v.EvidenceKinds, option{k, i18n.T(lng, "rpl.evidence."+k, nil)})
	}
	list, err := w.svc.RPL.RPLAssessments(ctx, subj.CaseID)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	if assessors, err := w.svc.RPL.Assessors(ctx); err == nil {
		for _, as := range assessors {
			if as.UserID == a.UserID {
				mine[as.Standard] = true
			}
		}
	}
	certs, err := w.personCertificates(r, subj.CaseID)
	if err != nil {
		return nil, err
	}
	certified := map[string]bool{}
	for _, c := range certs {
		certified[c.AssessmentID] = true
		cv := certificateView{ID: c.ID, Issued: timeText(lng, w.clock(r).Location(), c.IssuedAt), Revoked: c.RevokedAt != nil, RevokeReason: c.RevokeReason,
			Status: i18n.T(lng, "rpl.ui.cert_status."+c.Status(), nil)}
		if s := cat.Standard(c.Standard); s != nil {
			cv.Achievement = rpl.Text(s.Name, lng)
		}
		v.Certificates = append(v.Certificates, cv)
	}
	loc := w.clock(r).Location()
	files, err := w.evidenceViews(r, subj.CaseID, list)
	if err != nil {
		return nil, err
	}
	reassessed := map[string]bool{}
	for _, as := range list {
		if as.Previous != "" {
			reassessed[as.Previous] = true
		}
	}
	for _, as := range list {
		std := cat.Standard(as.Standard)
		av := assessmentView{ID: as.ID, Standard: as.Standard, Version: as.Version, Status: i18n.T(lng, "rpl.ui.status."+string(as.Status), nil), Certified: certified[as.ID], Applied: as.Status == rpl.StatusApplied}
		if std != nil {
			av.StandardName = rpl.Text(std.Name, lng)
		}
		if as.Decision != "" {
			av.Decision = i18n.T(lng, "rpl.ui.decision."+string(as.Decision), nil)
		}
		if as.AssessedAt != nil {
			av.Assessed = timeText(lng, loc, *as.AssessedAt)
		}
		if as.SignedOffAt != nil {
			av.SignedOff = timeText(lng, loc, *as.SignedOffAt)
		}
		for _, e := range as.Evidence {
			s := i18n.T(lng, "rpl.evidence."+e.Kind, nil)
			if e.Note != "" {
				s += ": " + e.Note
			}
			av.Evidence = append(av.Evidence, s)
		}
		if std != nil {
			for _, u := range std.Units {
				uv := unitView{Code: u.Code, Name: rpl.Text(u.Name, lng)}
				for _, res := range as.Results {
					if res.Unit == u.Code {
						uv.Result, uv.Note = string(res.Result), res.Note
					}
				}
				av.Units = append(av.Units, uv)
				if uv.Result == string(rpl.NotYetCompetent) {
					av.Gaps = append(av.Gaps, uv.Name)
				}
			}
		}
		av.Previous = as.Previous != ""
		av.ScheduledDay, av.Centre = as.Scheduled, as.Centre
		if as.Scheduled != "" {
			av.Scheduled = isoText(lng, as.Scheduled)
		}
		res := homeward.Resource{OrgID: as.OrgID}
		av.CanRecord = as.Status != rpl.StatusSignedOff && mine[as.Standard] && homeward.Can(a, homeward.ActRPLAssess, res)
		av.CanSignOff = as.Status == rpl.StatusAssessed && as.AssessorID != a.UserID && homeward.Can(a, homeward.ActRPLSignOff, res)
		av.CanIssue = as.Certifiable() == nil && !av.Certified && homeward.Can(a, homeward.ActCredentialIssue, res)
		av.CanSchedule = as.Status == rpl.StatusApplied && homeward.Can(a, homeward.ActRPLApply, res)
		av.CanAttach = as.CanAttach() == nil && homeward.Can(a, homeward.ActRPLApply, res)
		av.Files = files[as.ID]
		av.CanReassess = as.Status == rpl.StatusSignedOff && as.Decision == rpl.DecisionGapTraining && !reassessed[as.ID] && homeward.Can(a, homeward.ActRPLApply, res)
		v.Assessments = append(v.Assessments, av)
	}
	return v, nil
}

// personCertificates lists the certificates of a case, for those who may
// read them (none otherwise).
func (w *Web) personCertificates(r *http.Request, caseID string) ([]*rpl.Credential, error) {
	a := homeward.ActorFromContext(r.Context())
	if !homeward.Can(a, homeward.ActCredentialRead, homeward.Resource{OrgID: a.OrgID}) {
		return nil, nil
	}
	all, err := w.svc.RPL.Credentials(r.Context(), "")
	if err != nil {
		return nil, err
	}
	var out []*rpl.Credential
	for _, c := range all {
		if c.CaseID == caseID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (w *Web) skillsPage(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return w.showSkills(rw, r, id, http.StatusOK, nil)
}

// showSkills renders the skills page; refused, when set, is the refusal
// of the form just sent.
func (w *Web) showSkills(rw http.ResponseWriter, r *http.Request, id string, status int, refused error) error {
	p := w.newPage(r, "rpl.ui.title", nil)
	if !p.Can(string(homeward.ActRPLRead)) {
		return forbidden()
	}
	v, err := w.skillsData(r, id)
	if err != nil {
		return err
	}
	if refused != nil {
		if status, err = refusal(p, refused, nil); err != nil {
			return err
		}
		v.Standard = r.PostFormValue("standard")
	}
	p.Data = v
	return w.render(rw, status, "skills", p)
}

// skillsDone redirects back to the skills page with a message, or shows
// the page again with the refusal.
func (w *Web) skillsDone(rw http.ResponseWriter, r *http.Request, id string, err error, ok string) error {
	if err != nil {
		return w.showSkills(rw, r, id, http.StatusBadRequest, err)
	}
	http.Redirect(rw, r, "/people/"+id+"/skills?ok="+ok, http.StatusSeeOther)
	return nil
}

func (w *Web) skillsApply(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	subj, err := w.svc.RPL.RPLSubject(r.Context(), id)
	if err != nil {
		return err
	}
	// The files are checked, by size and content, before the application
	// is made; they are stored after it, one at a time.
	files, err := evidenceUploads(r)
	if err != nil {
		return w.skillsDone(rw, r, id, err, "")
	}
	var ev []rpl.Evidence
	for i := range 3 {
		kind, note := r.PostFormValue("evidence_kind_"+strconv.Itoa(i)), strings.TrimSpace(r.PostFormValue("evidence_note_"+strconv.Itoa(i)))
		if kind == "" && note == "" {
			continue
		}
		ev = append(ev, rpl.Evidence{Kind: kind, Note: note})
	}
	a, err := w.svc.RPL.ApplyRPL(r.Context(), subj.CaseID, r.PostFormValue("standard"), ev)
	if err == nil {
		err = w.attachEvidence(r, a.ID, files)
	}
	return w.skillsDone(rw, r, id, err, "rpl.ui.applied")
}

// assessmentPath reads the person and assessment ids of the path.
func assessmentPath(r *http.Request) (person, assessment string, err error) {
	if person, err = pathUUID(r); err != nil {
		return "", "", err
	}
	if assessment = r.PathValue("aid"); !homeward.ValidID(assessment) {
		return "", "", notFound()
	}
	return person, assessment, nil
}

func (w *Web) skillsRecord(rw http.ResponseWriter, r *http.Request) error {
	id, aid, err := assessmentPath(r)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err == nil {
		var results []rpl.UnitResult
		for _, code := range r.PostForm["unit"] {
			if len(results) >= 100 {
				break
			}
			results = append(results, rpl.UnitResult{Unit: code, Result: rpl.Result(r.PostFormValue("result_" + code)), Note: r.PostFormValue("note_" + code)})
		}
		_, err = w.svc.RPL.RecordRPL(r.Context(), aid, version, results)
	}
	return w.skillsDone(rw, r, id, err, "rpl.ui.recorded")
}

func (w *Web) skillsSignOff(rw http.ResponseWriter, r *http.Request) error {
	id, aid, err := assessmentPath(r)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err == nil {
		_, err = w.svc.RPL.SignOffRPL(r.Context(), aid, version)
	}
	return w.skillsDone(rw, r, id, err, "rpl.ui.signed_off")
}

func (w *Web) skillsIssue(rw http.ResponseWriter, r *http.Request) error {
	id, aid, err := assessmentPath(r)
	if err != nil {
		return err
	}
	_, err = w.svc.RPL.IssueCredential(r.Context(), aid)
	return w.skillsDone(rw, r, id, err, "rpl.ui.issued")
}

func (w *Web) skillsReassess(rw http.ResponseWriter, r *http.Request) error {
	id, aid, err := assessmentPath(r)
	if err != nil {
		return err
	}
	_, err = w.svc.RPL.ReassessRPL(r.Context(), aid)
	return w.skillsDone(rw, r, id, err, "rpl.ui.reassess_started")
}

func (w *Web) skillsSchedule(rw http.ResponseWriter, r *http.Request) error {
	id, aid, err := assessmentPath(r)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err == nil {
		_, err = w.svc.RPL.ScheduleRPL(r.Context(), aid, version, strings.TrimSpace(r.PostFormValue("scheduled")), r.PostFormValue("centre"))
	}
	return w.skillsDone(rw, r, id, err, "rpl.ui.scheduled_ok")
}

func (w *Web) skillsRevoke(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	_, err = w.svc.RPL.RevokeCredential(r.Context(), r.PostFormValue("credential"), r.PostFormValue("reason"))
	return w.skillsDone(rw, r, id, err, "rpl.ui.revoked")
}

// ---- the work waiting ----

type workRow struct {
	PersonID, Name, CaseNumber, Standard, Since string
}

type skillsWorkView struct {
	ToAssess, ToSignOff, ToCertify []workRow
}

// skillsWork lists what waits for the user in skills recognition: results
// to record, decisions to sign off, certificates to issue.
func (w *Web) skillsWork(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "rpl.ui.work_title", nil)
	work, err := w.svc.RPL.RPLWork(r.Context())
	if err != nil {
		return err
	}
	cat := w.svc.RPL.RPLCatalogue()
	loc := w.clock(r).Location()
	rows := func(items []rpl.WorkItem) []workRow {
		var out []workRow
		for _, it := range items {
			row := workRow{PersonID: it.Assessment.PersonID, Name: it.Name, CaseNumber: it.CaseNumber, Since: timeText(p.Lang, loc, it.Assessment.CreatedAt)}
			if s := cat.Standard(it.Assessment.Standard); s != nil {
				row.Standard = rpl.Text(s.Name, p.Lang)
			}
			out = append(out, row)
		}
		return out
	}
	p.Data = &skillsWorkView{ToAssess: rows(work.ToAssess), ToSignOff: rows(work.ToSignOff), ToCertify: rows(work.ToCertify)}
	return w.render(rw, http.StatusOK, "skills_work", p)
}

// ---- the printed certificate ----

type certificatePage struct {
	Holder, Achievement, AchievementOther, Level, Occupation, Criteria string
	Issuer, Issued, ValidUntil, ID, VerifyURL, Status                  string
	Revoked                                                            bool
	QR                                                                 qrCode
}

// certificatePrint is the certificate ready to print (or save as PDF from
// the browser), in the reader's language with the other one beside it,
// and a QR code of the public verification page.
func (w *Web) certificatePrint(rw http.ResponseWriter, r *http.Request) error {
	c, err := w.svc.RPL.Credential(r.Context(), r.URL.Query().Get("id"))
	if err != nil {
		return err
	}
	lng := lang(r)
	other := "bn"
	if i18n.Base(lng) == "bn" {
		other = "en"
	}
	p := w.newPage(r, "rpl.ui.certificate", nil)
	d := &certificatePage{ID: c.ID, Revoked: c.RevokedAt != nil, Status: i18n.T(lng, "rpl.ui.cert_status."+c.Status(), nil),
		Issued: timeText(lng, w.clock(r).Location(), c.IssuedAt), VerifyURL: w.verifyURL(c.ID)}
	if std := w.svc.RPL.RPLCatalogue().Standard(c.Standard); std != nil {
		d.Achievement, d.AchievementOther, d.Criteria = rpl.Text(std.Name, lng), rpl.Text(std.Name, other), rpl.Text(std.Criteria, lng)
		d.Level = i18n.T(lng, "rpl.ui.level", map[string]any{"n": i18n.Number(lng, std.Level)})
		d.Occupation = std.Occupation
	}
	v := rpl.Verify(r.Context(), w.svc.RPL, c.Document, w.clock(r).Time())
	d.Holder, d.Issuer, d.ValidUntil = v.Holder, v.Issuer, isoText(lng, strings.SplitN(v.ValidUntil, "T", 2)[0])
	if d.QR, err = newQR(d.VerifyURL); err != nil {
		return err
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "certificate", p)
}

// verifyURL is the public verification page of a certificate.
func (w *Web) verifyURL(id string) string {
	return w.PublicURL + "/verify?id=" + url.QueryEscape(id)
}

// ---- assessors ----

type assessorsView struct {
	Rows      []option // name — standard (centre)
	Users     []option
	Standards []option
	CanAdmin  bool
}

func (w *Web) assessorsPage(rw http.ResponseWriter, r *http.Request) error {
	return w.showAssessors(rw, r, http.StatusOK, nil)
}

func (w *Web) showAssessors(rw http.ResponseWriter, r *http.Request, status int, refused error) error {
	p := w.newPage(r, "rpl.ui.assessors", nil)
	if !p.Can(string(homeward.ActRPLRead)) && !p.Can(string(homeward.ActRPLAssessorAdmin)) {
		return forbidden()
	}
	lng := p.Lang
	cat := w.svc.RPL.RPLCatalogue()
	v := &assessorsView{CanAdmin: p.Can(string(homeward.ActRPLAssessorAdmin))}
	for _, s := range cat.Standards {
		v.Standards = append(v.Standards, option{s.Code, rpl.Text(s.Name, lng)})
	}
	{
		list, err := w.svc.RPL.Assessors(r.Context())
		if err != nil {
			return err
		}
		for _, a := range list {
			name := a.Standard
			if s := cat.Standard(a.Standard); s != nil {
				name = rpl.Text(s.Name, lng)
			}
			v.Rows = append(v.Rows, option{a.Name, name + " — " + a.Centre})
		}
	}
	if v.CanAdmin {
		users, _, err := w.svc.Users.FindUsers(r.Context(), homeward.UserFilter{Limit: 500})
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.ID != p.Actor.UserID {
				v.Users = append(v.Users, option{u.ID, u.Name})
			}
		}
		slices.SortFunc(v.Users, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	}
	if refused != nil {
		var err error
		if status, err = refusal(p, refused, nil); err != nil {
			return err
		}
	}
	p.Data = v
	return w.render(rw, status, "assessors", p)
}

func (w *Web) assessorRegister(rw http.ResponseWriter, r *http.Request) error {
	err := w.svc.RPL.RegisterAssessor(r.Context(), r.PostFormValue("user_id"), r.PostFormValue("standard"), strings.TrimSpace(r.PostFormValue("centre")))
	if err != nil {
		return w.showAssessors(rw, r, http.StatusBadRequest, err)
	}
	http.Redirect(rw, r, "/assessors?ok=rpl.ui.assessor_saved", http.StatusSeeOther)
	return nil
}
