-- A median's cells keep how many records had each whole value
-- ("0:12,1:30,3:4"), so that cells combine into a true median
-- (internal/indicator, Median); other cells leave it empty.
ALTER TABLE indicator_values ADD COLUMN spread TEXT NOT NULL DEFAULT '';
