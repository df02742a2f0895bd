-- Every two name words of a person as one search key: kind 'pair', the
-- two words' sound keys in byte order ("rfkl slm"; see soundPairs), so
-- that a search for a common full name reads the people whose name sounds
-- like both words from one short index range. Go fills in the keys of the
-- people stored before (backfillNamePairs), from their name keys, lent
-- ones (merge_id) paired within their merge.
SELECT 1;
