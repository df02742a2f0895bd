-- A user's choice of digits (issue 21): '' shows numbers and dates in the
-- digits of the language they read (Bangla, Arabic-Indic, Extended
-- Arabic-Indic), 'latn' in Latin 0-9 whatever the language.
ALTER TABLE users ADD COLUMN digits TEXT NOT NULL DEFAULT '';
-- Then Go gives the name words in Arabic script stored before it their
-- sound key, read in Latin letters (rebuildNameKeys; match.SoundKey), so
-- that a search in either script finds the other.
