-- An instance's changes to its country pack's public holidays (issue 21):
-- a day off added (with its names), or a day of the pack's list removed,
-- by an operator administrator; one change a day. Referral deadlines
-- count working days with them.
CREATE TABLE holiday_changes (
    country    TEXT NOT NULL,
    day        TEXT NOT NULL,
    removed    INTEGER NOT NULL DEFAULT 0,
    names      TEXT NOT NULL DEFAULT '{}',
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (country, day)
);
