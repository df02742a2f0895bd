-- Strong sign-in (issue 18): TOTP second factors, recovery codes, the
-- pending step between password and code, each organisation's sign-in
-- policy, and what a user sees of their sessions.

-- A user's TOTP secret, sealed with the instance's at-rest key (the notes
-- key) and bound to the user. confirmed_at is NULL until the first code
-- is given; last_step is the last RFC 6238 time step accepted, so that no
-- code is accepted twice.
CREATE TABLE totp_factors (
    user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step    BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, stored as SHA-256 digests.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right and that waits for the second
-- factor: only the digest of its token is stored; no session exists yet.
CREATE TABLE signin_challenges (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signin_challenges_user ON signin_challenges(user_id);

-- An organisation's own sign-in policy; without a row, the defaults
-- (homeward.DefaultSignInPolicy).
CREATE TABLE signin_policies (
    org_id              TEXT PRIMARY KEY REFERENCES organisations(id),
    second_factor_roles TEXT NOT NULL,
    idle_minutes        INTEGER NOT NULL,
    absolute_minutes    INTEGER NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    updated_by          TEXT NOT NULL,
    version             INTEGER NOT NULL
);

-- The operator removed the user's second factor (they had lost it and
-- their recovery codes): the user is told until they set up a new one.
CREATE TABLE second_factor_resets (
    user_id  TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    reset_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
ALTER TABLE sessions ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
