-- Service recommendations: an organisation's model versions (the model as
-- JSON, its card inside it), trained from its own pseudonymised history or
-- uploaded by a data office; one may be active, and only after an
-- administrator activated it. A case worker's choice beside the
-- suggestions shown is recorded: what was suggested (ranked, as JSON),
-- what was chosen, whether it followed the first suggestion, and why not.
CREATE TABLE recommend_models (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    version      TEXT NOT NULL,
    source       TEXT NOT NULL,
    model        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    activated_by TEXT,
    activated_at TIMESTAMPTZ,
    retired_at   TIMESTAMPTZ,
    UNIQUE (org_id, version)
);
CREATE INDEX recommend_models_org ON recommend_models(org_id, created_at);
CREATE TABLE recommend_choices (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    case_id       TEXT NOT NULL REFERENCES cases(id),
    plan_id       TEXT NOT NULL REFERENCES plans(id),
    model_version TEXT NOT NULL DEFAULT '',
    suggested     TEXT NOT NULL,
    chosen        TEXT NOT NULL,
    followed      BOOLEAN NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    chosen_by     TEXT NOT NULL,
    chosen_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX recommend_choices_case ON recommend_choices(case_id, chosen_at);
CREATE INDEX recommend_choices_org ON recommend_choices(org_id, chosen_at);
