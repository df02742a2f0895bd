-- Returnee registry: people, their identifiers for search, cases, consents
-- and the case timeline. The person (with migration episodes) is stored as
-- JSON as the registry package defines it; columns copy what queries filter
-- and sort on.

CREATE TABLE people (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organisations(id),
    external_id        TEXT NOT NULL DEFAULT '',
    given_name         TEXT NOT NULL DEFAULT '',
    family_name        TEXT NOT NULL DEFAULT '',
    full_name_native   TEXT NOT NULL DEFAULT '',
    sex                TEXT NOT NULL,
    date_of_birth      TEXT NOT NULL DEFAULT '',
    admin_area         TEXT NOT NULL DEFAULT '',
    person             TEXT NOT NULL,
    episodes           TEXT NOT NULL DEFAULT '[]',
    merged_into        TEXT,
    version            INTEGER NOT NULL DEFAULT 1,
    created_by         TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX people_external ON people(org_id, external_id) WHERE external_id <> '';
CREATE INDEX people_org ON people(org_id, id);

-- Search keys: name tokens (normalised, variants unified), phones (E.164),
-- document numbers, case numbers. One row per key.
CREATE TABLE person_keys (
    org_id    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE
);
CREATE INDEX person_keys_lookup ON person_keys(org_id, kind, value);
CREATE INDEX person_keys_person ON person_keys(person_id);

CREATE TABLE cases (
    id                  TEXT PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    org_id              TEXT NOT NULL REFERENCES organisations(id),
    person_id           TEXT NOT NULL REFERENCES people(id),
    assigned_to         TEXT REFERENCES users(id),
    status              TEXT NOT NULL,
    closure_reason      TEXT NOT NULL DEFAULT '',
    priority            TEXT NOT NULL,
    vulnerabilities     TEXT NOT NULL DEFAULT '[]',
    incomplete          BOOLEAN NOT NULL DEFAULT FALSE,
    return_date         TEXT NOT NULL DEFAULT '',
    return_type         TEXT NOT NULL DEFAULT '',
    destination_country TEXT NOT NULL DEFAULT '',
    district            TEXT NOT NULL DEFAULT '',
    sex                 TEXT NOT NULL DEFAULT '',
    opened_at           TIMESTAMPTZ NOT NULL,
    closed_at           TIMESTAMPTZ,
    version             INTEGER NOT NULL DEFAULT 1,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_org ON cases(org_id, id);
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_org_status ON cases(org_id, status);
CREATE INDEX cases_org_district ON cases(org_id, district);

-- Sequence of case numbers per prefix (country and year).
CREATE TABLE case_numbers (
    prefix TEXT PRIMARY KEY,
    last   BIGINT NOT NULL
);

CREATE TABLE consents (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES people(id),
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    purpose        TEXT NOT NULL,
    consent        TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    withdrawn_at   TIMESTAMPTZ
);
CREATE INDEX consents_person ON consents(person_id);

CREATE TABLE case_events (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases(id),
    org_id    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    actor_id  TEXT NOT NULL,
    event     TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, at);
