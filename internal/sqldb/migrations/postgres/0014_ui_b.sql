-- After a merge the absorbed person's cases belong to the kept person but
-- stay their own rows (so that an unmerge can give them back): merged_into
-- names the kept person's case, whose record and timeline take them in.
ALTER TABLE cases ADD COLUMN merged_into TEXT REFERENCES cases(id);
CREATE INDEX cases_merged_into ON cases(merged_into) WHERE merged_into IS NOT NULL;
