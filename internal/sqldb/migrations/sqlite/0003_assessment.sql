-- Assessments: versioned form definitions (built-in and uploaded XLSForms),
-- versioned scoring schemes (one active per scheme id), and the answers
-- given about people, with the flags they raised and the score they got.
-- Forms and schemes are instance-wide; answers belong to an organisation.

CREATE TABLE assessment_forms (
    id          TEXT PRIMARY KEY,           -- sortable: newest version last
    form_id     TEXT NOT NULL,
    version     TEXT NOT NULL,
    title       TEXT NOT NULL,              -- JSON {"en": …, "bn": …}
    definition  TEXT NOT NULL,              -- the form model as JSON
    source      TEXT NOT NULL,              -- builtin | upload
    used        INTEGER NOT NULL DEFAULT 0, -- answers exist: immutable
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX assessment_forms_version ON assessment_forms(form_id, version);

CREATE TABLE scoring_schemes (
    id           TEXT PRIMARY KEY,
    scheme_id    TEXT NOT NULL,
    version      TEXT NOT NULL,
    status       TEXT NOT NULL,             -- review | active | retired
    source       TEXT NOT NULL,             -- builtin | upload | calibration
    definition   TEXT NOT NULL,             -- the scheme file
    report       TEXT NOT NULL DEFAULT '',  -- calibration report (JSON)
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    activated_by TEXT NOT NULL DEFAULT '',
    activated_at TEXT
);
CREATE UNIQUE INDEX scoring_schemes_version ON scoring_schemes(scheme_id, version);
CREATE UNIQUE INDEX scoring_schemes_active ON scoring_schemes(scheme_id) WHERE status = 'active';

CREATE TABLE assessments (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    person_id      TEXT NOT NULL REFERENCES people(id),
    case_id        TEXT REFERENCES cases(id),
    form_id        TEXT NOT NULL,
    form_version   TEXT NOT NULL,
    status         TEXT NOT NULL,           -- draft | completed
    answers        TEXT NOT NULL,           -- JSON
    calculated     TEXT NOT NULL DEFAULT '{}',
    flags          TEXT NOT NULL DEFAULT '[]',
    answered_on    TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD, the day the answers were given
    round          TEXT NOT NULL DEFAULT '',
    scheme_id      TEXT NOT NULL DEFAULT '',
    scheme_version TEXT NOT NULL DEFAULT '',
    score          TEXT,                    -- scoring result (JSON) when scored
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    completed_at   TEXT,
    FOREIGN KEY (form_id, form_version) REFERENCES assessment_forms(form_id, version)
);
CREATE INDEX assessments_person ON assessments(person_id, answered_on);
CREATE INDEX assessments_org_form ON assessments(org_id, form_id, status);
