-- Placeholder so that branch scale19 numbers its migration 0040 as it was
-- given (0038 and 0039 belong to other branches). DELETE THIS FILE AT
-- MERGE: left beside the real one, the numbers repeat and Migrations fails.
SELECT 1;
