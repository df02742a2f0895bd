package web

import (
	"net/http"
	"strconv"

	"homeward/internal/i18n"
	"homeward/internal/referral"
)

// routesReferralStats registers the supervisors' referral statistics: the
// organisation's referrals sent and received by state, and those sent by
// provider, from the same service method as the API's stats route.
func (w *Web) routesReferralStats() {
	w.handle("GET /referrals/stats", w.referralStats, true)
}

// statCell is one count, with the referral list it stands for (empty when
// the list cannot show it, such as another provider's column).
type statCell struct{ N, Href string }

type statRow struct {
	State, Label   string
	Sent, Received statCell
}

type providerStatRow struct {
	ID, Name string
	Cells    []statCell // by state, in referral.States order
	Total    string
}

type statsData struct {
	Rows                           []statRow
	SentTotal, SentOverdue         statCell
	ReceivedTotal, ReceivedOverdue statCell
	Providers                      []providerStatRow
}

func (w *Web) referralStats(rw http.ResponseWriter, r *http.Request) error {
	st, err := w.svc.Referral.ReferralStats(r.Context())
	if err != nil {
		return err
	}
	p := w.newPage(r, "referral.stats.title", nil)
	n := func(v int) string { return i18n.Digits(p.Lang, strconv.Itoa(v)) }
	list := func(v int, box referral.Box, extra string) statCell {
		c := statCell{N: n(v)}
		if v > 0 {
			c.Href = "/referrals?box=" + string(box) + extra
		}
		return c
	}
	d := &statsData{
		SentTotal: list(st.Sent.Total, referral.Outbox, ""), SentOverdue: list(st.Sent.Overdue, referral.Outbox, "&overdue=true"),
		ReceivedTotal: list(st.Received.Total, referral.Inbox, ""), ReceivedOverdue: list(st.Received.Overdue, referral.Inbox, "&overdue=true"),
	}
	for _, s := range referral.States {
		d.Rows = append(d.Rows, statRow{State: string(s), Label: stateText(p.Lang, s),
			Sent: list(st.Sent.ByState[s], referral.Outbox, "&state="+string(s)), Received: list(st.Received.ByState[s], referral.Inbox, "&state="+string(s))})
	}
	for _, pc := range st.ByOrg {
		row := providerStatRow{ID: pc.OrgID, Name: pc.OrgName, Total: n(pc.Total)}
		for _, s := range referral.States {
			row.Cells = append(row.Cells, statCell{N: n(pc.ByState[s])})
		}
		d.Providers = append(d.Providers, row)
	}
	p.Data = d
	return w.render(rw, http.StatusOK, "referral_stats", p)
}
