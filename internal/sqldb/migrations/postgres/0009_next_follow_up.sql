-- The date (YYYY-MM-DD) of each delivery record's next follow-up — a
-- grant's business visit, a job placement's employment check — kept by
-- every write of the record and of its referral (referral.Delivery.
-- NextFollowUpIn), NULL when none is expected; the follow-ups due are then
-- read through an index instead of rule by rule from every record. The
-- rows written before are filled in by Go in this migration's transaction
-- (backfillNextFollowUp: the rule reads the record's JSON).
ALTER TABLE service_deliveries ADD COLUMN next_follow_up TEXT;
CREATE INDEX service_deliveries_follow_up ON service_deliveries(org_id, next_follow_up, id) WHERE next_follow_up IS NOT NULL;
