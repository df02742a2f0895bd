-- The window a follow-up survey round was taken in against its schedule
-- (early, on_time, late; empty for baselines and other forms).
ALTER TABLE assessments ADD COLUMN round_window TEXT NOT NULL DEFAULT '';
