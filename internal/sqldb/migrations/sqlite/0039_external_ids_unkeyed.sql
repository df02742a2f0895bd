-- External ids are no longer search keys (issue 14): the people row holds
-- the id and its people_external index finds it, so the "external" rows of
-- person_keys were a second copy in two more b-trees for every person. A
-- merged-away person's id is found through their merge (externalHolders in
-- search.go). Lent copies are released first, as erasure releases them
-- (the person_keys_keep_lent trigger keeps a lent key from a plain delete).
UPDATE person_keys SET merge_id = '!' || merge_id WHERE kind = 'external' AND merge_id <> '' AND substr(merge_id, 1, 1) <> '!';
DELETE FROM person_keys WHERE kind = 'external';
