-- Programmes an organisation runs for returnees (a donor-funded project
-- such as RAISE, over a period and some districts), and the enrolment of
-- cases in them: a case may be in several. Indicators are broken down and
-- filtered by the programme's code (internal/indicator), which is unique
-- within its organisation.
CREATE TABLE programmes (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    code        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    name_bn     TEXT NOT NULL DEFAULT '',
    donor       TEXT NOT NULL DEFAULT '',
    start_month TEXT NOT NULL DEFAULT '',
    end_month   TEXT NOT NULL DEFAULT '',
    districts   TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX programmes_org_code ON programmes(org_id, code);
CREATE TABLE case_programmes (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    enrolled_at  TEXT NOT NULL,
    enrolled_by  TEXT NOT NULL,
    PRIMARY KEY (case_id, programme_id)
) WITHOUT ROWID;
CREATE INDEX case_programmes_programme ON case_programmes(programme_id);
