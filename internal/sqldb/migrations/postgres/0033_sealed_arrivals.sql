-- Received handoff announcements sealed at rest (issue 18): the
-- announcement (the person's identity, passport, phones) is sealed under
-- the identifiers' data key named by seal_key, as people's records are, and
-- the passport is found by its blind index (passport_index); the clear
-- passport column stays empty (earlier rows are converted at start).
ALTER TABLE handoff_arrivals ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE handoff_arrivals ADD COLUMN passport_index TEXT NOT NULL DEFAULT '';
CREATE INDEX handoff_arrivals_passport ON handoff_arrivals(org_id, passport_index);
