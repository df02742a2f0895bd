package homeward

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Passkey is a WebAuthn credential a user registered, as their account
// page lists it. A passkey asks for user verification (a PIN or a
// fingerprint on the authenticator) in every ceremony, so that it is a
// second factor and, alone, a sign-in.
type Passkey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// MaxPasskeyName bounds a passkey's name ("office laptop").
const MaxPasskeyName = 60

// NormalizePasskeyName trims name and checks it is given and short.
func NormalizePasskeyName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", FieldErrorf("name", "error.field.required", "This field is required.")
	}
	if utf8.RuneCountInString(name) > MaxPasskeyName {
		return "", &Error{Code: EINVALID, Key: "error.passkey.name_long", Field: "name", Args: map[string]any{"max": MaxPasskeyName},
			Message: "Use at most 60 characters."}
	}
	return name, nil
}

// PasskeyService is the signed-in user's passkeys and the sign-in with
// one. Options and answers are the JSON the browser's
// navigator.credentials.create and .get take and give.
type PasskeyService interface {
	// BeginPasskey starts registering a passkey for the actor.
	BeginPasskey(ctx context.Context) ([]byte, error)
	// FinishPasskey registers the passkey of the browser's answer under
	// name.
	FinishPasskey(ctx context.Context, name string, answer []byte) (*Passkey, error)
	// FindPasskeys lists the actor's passkeys, oldest first.
	FindPasskeys(ctx context.Context) ([]*Passkey, error)
	// RemovePasskey removes one of the actor's passkeys, given their
	// current password.
	RemovePasskey(ctx context.Context, id, password string) error
	// BeginPasskeyLogin starts a sign-in with a passkey: as the second
	// step of the pending sign-in whose token is pending, or, with
	// pending "", without a password.
	BeginPasskeyLogin(ctx context.Context, pending string) ([]byte, error)
	// FinishPasskeyLogin checks the browser's answer and opens a session,
	// returning its token.
	FinishPasskeyLogin(ctx context.Context, pending string, answer []byte) (string, *Session, error)
}
