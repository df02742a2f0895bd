package web

import (
	"net/http"

	"homeward"
	"homeward/internal/i18n"
)

// digitChoice is one option of the account page's choice of digits.
type digitChoice struct {
	Value   string // "" (the language's own) or homeward.DigitsLatin
	Label   string
	Example string // 0123456789 as the choice shows it
	Checked bool
}

// digitChoices lists the digit choices for the page's language, the
// actor's own preference checked. A language without digits of its own
// (English) has nothing to choose.
func digitChoices(lang string, a *homeward.Actor) []digitChoice {
	base := i18n.Base(lang)
	if i18n.Digits(base, "0") == "0" || a == nil {
		return nil
	}
	return []digitChoice{
		{Value: "", Label: i18n.T(lang, "account.digits.native", nil), Example: i18n.Digits(base, "0123456789"), Checked: a.Digits == ""},
		{Value: homeward.DigitsLatin, Label: i18n.T(lang, "account.digits.latin", nil), Example: "0123456789", Checked: a.Digits == homeward.DigitsLatin},
	}
}

// setDigits saves the signed-in user's own choice of digits. It changes
// only the actor's own account: UpdateUser allows a user to edit their own
// profile and refuses anyone else's without the administrator's right.
func (w *Web) setDigits(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	u, err := w.svc.Users.FindUserByID(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	digits := r.PostFormValue("digits")
	if _, err := w.svc.Users.UpdateUser(r.Context(), u.ID, u.Version, homeward.UserUpdate{Digits: &digits}); err != nil {
		p, perr := w.accountPage(r, nil)
		if perr != nil {
			return perr
		}
		status, err := refusal(p, err, nil)
		if err != nil {
			return err
		}
		return w.render(rw, status, "account", p)
	}
	http.Redirect(rw, r, "/account?ok=account.digits.saved#digits", http.StatusSeeOther)
	return nil
}
