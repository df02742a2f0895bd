-- Names in Arabic script get the search keys of issue 21 (article optional,
-- Urdu and Sorani letters folded, transliterations of common names keyed in
-- Latin): Go adds them for the people stored before (rebuildNameKeys),
-- from their stored name keys and their Latin and native names.
SELECT 1;
