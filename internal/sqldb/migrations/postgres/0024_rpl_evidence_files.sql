-- Files of evidence attached to an RPL application (employer letters,
-- photos, certificates from abroad): checked by content to be PDF, JPEG,
-- PNG or WebP, at most 10 MB each and 10 per application (internal/rpl),
-- and stored sealed at rest with the instance's at-rest key (the notes
-- key), bound to their row, as counselling notes are.
CREATE TABLE rpl_evidence_files (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    assessment_id TEXT NOT NULL REFERENCES rpl_assessments(id),
    name          TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX rpl_evidence_files_assessment ON rpl_evidence_files(assessment_id, uploaded_at);
-- How an organisation names itself as the issuer of its certificates:
-- 'key' (did:key, the default) or 'web' (did:web, its DID document served
-- by this instance).
ALTER TABLE organisations ADD COLUMN issuer_did TEXT NOT NULL DEFAULT 'key';
