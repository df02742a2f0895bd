-- Passkeys (issue 18): WebAuthn credentials as a second factor and as a
-- sign-in, and each ceremony's state between its two steps.

-- A user's registered passkey. credential is the library's record as JSON
-- (public key, flags, attestation format); sign_count is kept beside it so
-- that a sign-in updates it only from the value it read (two answers
-- racing with one counter cannot both pass).
CREATE TABLE passkeys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    credential   TEXT NOT NULL,
    sign_count   BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- A begun ceremony, found again by the challenge the authenticator signs
-- and used once. user_id is NULL for a sign-in without a password (the
-- authenticator names the user); signin is the digest of the pending
-- sign-in a second-factor ceremony completes.
CREATE TABLE passkey_ceremonies (
    challenge  TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    signin     TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies(expires_at);
