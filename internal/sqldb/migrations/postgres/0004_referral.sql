-- Referrals: the service catalogue, the provider directory, reintegration
-- plans, referrals between organisations with the fields shared with the
-- receiving organisation (a copy, taken when sent), service delivery
-- records, counselling session notes (kept apart: only the providing
-- organisation's counsellors read them), webhooks and their delivery log.
-- Records are stored as JSON as the referral package defines them; columns
-- copy what queries filter and sort on.

CREATE TABLE service_types (
    code       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    type       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE provider_offers (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    service_type TEXT NOT NULL REFERENCES service_types(code),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    offer        TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX provider_offers_org_service ON provider_offers(org_id, service_type);

CREATE TABLE plans (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    case_id    TEXT NOT NULL REFERENCES cases(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    status     TEXT NOT NULL,
    due_date   TEXT NOT NULL,
    plan       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plans_case ON plans(case_id);
CREATE INDEX plans_org_status ON plans(org_id, status, due_date);

CREATE TABLE referrals (
    id           TEXT PRIMARY KEY,
    from_org_id  TEXT NOT NULL REFERENCES organisations(id),
    to_org_id    TEXT NOT NULL REFERENCES organisations(id),
    to_user_id   TEXT REFERENCES users(id),
    case_id      TEXT NOT NULL REFERENCES cases(id),
    person_id    TEXT NOT NULL REFERENCES people(id),
    plan_id      TEXT REFERENCES plans(id),
    service_type TEXT NOT NULL,
    state        TEXT NOT NULL,
    respond_by   TIMESTAMPTZ NOT NULL,
    due_date     TEXT NOT NULL DEFAULT '',
    referral     TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    sent_at      TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- No second open referral for the same service to the same provider.
CREATE UNIQUE INDEX referrals_one_open ON referrals(person_id, service_type, to_org_id) WHERE state IN ('sent', 'accepted', 'in_progress');
CREATE INDEX referrals_to ON referrals(to_org_id, state, id);
CREATE INDEX referrals_from ON referrals(from_org_id, state, id);
CREATE INDEX referrals_case ON referrals(case_id);
CREATE INDEX referrals_respond ON referrals(state, respond_by);

CREATE TABLE service_deliveries (
    id               TEXT PRIMARY KEY,
    referral_id      TEXT NOT NULL UNIQUE REFERENCES referrals(id),
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    kind             TEXT NOT NULL,
    pending_approval BOOLEAN NOT NULL DEFAULT FALSE,
    requested_by     TEXT NOT NULL DEFAULT '',
    delivery         TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_deliveries_pending ON service_deliveries(org_id, pending_approval);

CREATE TABLE counselling_notes (
    id          TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES service_deliveries(id),
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    session_id  TEXT NOT NULL,
    note        TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX counselling_notes_delivery ON counselling_notes(delivery_id);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_org ON webhooks(org_id);

CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,
    webhook_id   TEXT NOT NULL REFERENCES webhooks(id),
    org_id       TEXT NOT NULL,
    event        TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    next_at      TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
