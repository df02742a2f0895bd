-- Cross-border handoff, feedback of the sustainability score (issue 20):
-- a feedback message may carry the band of the person's sustainability
-- score at a follow-up milestone (6 or 12 months), never the answers.
ALTER TABLE handoff_feedback ADD COLUMN milestone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE handoff_feedback ADD COLUMN band TEXT NOT NULL DEFAULT '';
