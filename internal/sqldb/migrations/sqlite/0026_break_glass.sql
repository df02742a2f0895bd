-- Break-glass: a user's time-limited read access to one record of another
-- organisation in an emergency, with the reason given, reviewed afterwards
-- by a supervisor of the organisation that holds the record.
CREATE TABLE break_glass (
    id            TEXT PRIMARY KEY,
    requester_id  TEXT NOT NULL REFERENCES users(id),
    requester_org TEXT NOT NULL REFERENCES organisations(id),
    person_id     TEXT NOT NULL REFERENCES people(id),
    owner_org     TEXT NOT NULL REFERENCES organisations(id),
    reason        TEXT NOT NULL,
    granted_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    reviewed_by   TEXT,
    reviewed_at   TEXT,
    review_note   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX break_glass_owner ON break_glass(owner_org, granted_at);
CREATE INDEX break_glass_requester ON break_glass(requester_org, granted_at);
CREATE INDEX break_glass_person ON break_glass(person_id, granted_at);
