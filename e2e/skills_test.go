package e2e

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/internal/registry"
	"homeward/internal/rpl"
)

// In the demo: the Shapla assessor opens the applicant waiting for them,
// records a result per unit in the browser, the supervisor signs off and
// issues the certificate, which prints (to PDF, in Chromium) with its QR
// code; signed out, the public page verifies it.
func TestAssessorToPrintedCertificate(t *testing.T) {
	db, w := seedDemo(t)
	base := serveDB(t, db)
	sup := w.Users["supervisor@shapla.demo"]
	supCtx := homeward.NewContextWithActor(t.Context(), &homeward.Actor{UserID: sup.ID, OrgID: sup.OrgID, Roles: sup.Roles})
	// The applicant waiting for the assessor.
	var personID, aid string
	var std *rpl.Standard
	people, _, err := db.Search(supCtx, registry.SearchFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		list, err := db.RPLAssessments(supCtx, p.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			if a.Status == rpl.StatusApplied {
				personID, aid, std = p.PersonID, a.ID, db.RPLCatalogue().Standard(a.Standard)
			}
		}
	}
	if aid == "" {
		t.Fatal("the demo has no application waiting for Shapla's assessor")
	}

	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	do := uiaSteps(t, ctx)
	var steps []chromedp.Action[chromedp.Void]
	for _, u := range std.Units {
		steps = append(steps, chromedp.Click(chromedp.ID("r-"+aid+"-"+u.Code+"-c")))
	}
	do("the assessor records the results",
		chromedp.Navigate(base+"/login"),
		signIn("assessor@shapla.demo"),
		chromedp.Navigate(base+"/people/"+personID+"/skills"),
		chromedp.WaitVisible(chromedp.CSS("form.rpl-results")),
		settled,
		chromedp.Steps(steps...),
		submitCSS("form.rpl-results button.rpl-record", "p.flash"),
	)
	screenshot(t, ctx, "skills-assessed")
	do("the supervisor signs off and issues",
		signOut,
		signIn("supervisor@shapla.demo"),
		chromedp.Navigate(base+"/people/"+personID+"/skills"),
		// Each button loads a whole new page: a plain WaitVisible after the
		// click can be asked of the page being left, and fail with it.
		submitCSS("#assessment-"+aid+" form.rpl-signoff button", "#assessment-"+aid+" form.rpl-issue button"),
		submitCSS("#assessment-"+aid+" form.rpl-issue button", "#certificates"),
	)
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#certificates a.cert-print')].map(a => a.getAttribute('href')).pop()`))
	if err != nil || !strings.HasPrefix(href, "/certificates/print?id=") {
		t.Fatalf("print link %q: %v", href, err)
	}
	do("the certificate opens for printing", chromedp.Navigate(base+href), chromedp.WaitVisible(chromedp.ID("cert-qr")))
	screenshot(t, ctx, "certificate")
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFLandscape()))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 5000 {
		t.Fatalf("printed to PDF: %d bytes, %v", len(pdf), err)
	}
	holder, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("cert-holder")))
	if err != nil || strings.TrimSpace(holder) == "" {
		t.Errorf("holder on the certificate: %q %v", holder, err)
	}
	id, _ := url.QueryUnescape(strings.TrimPrefix(href, "/certificates/print?id="))
	do("anyone verifies it",
		chromedp.Navigate(base+"/home"),
		signOut,
		chromedp.Navigate(base+"/verify?id="+url.QueryEscape(id)),
		chromedp.WaitVisible(chromedp.ID("verdict")),
	)
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("verdict-title")))
	if err != nil || !strings.Contains(status, "Valid certificate") {
		t.Errorf("public verdict %q %v", status, err)
	}
	screenshot(t, ctx, "certificate-verified")
}
