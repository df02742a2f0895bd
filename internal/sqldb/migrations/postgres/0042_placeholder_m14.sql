-- Placeholder so that branch m14 numbers its migration 0043 as it was
-- given (0039 to 0042 belong to other branches). DELETE THIS FILE AT
-- MERGE: left beside the real one, the numbers repeat and Migrations fails.
SELECT 1;
