-- A "pair" key holds the two words after their sounds ("rfkl slm|rafiqul
-- islam"; see pairKey), so that the people with two words of a name
-- exactly are one key, and those whose name sounds like them one range:
-- a search for a common full name reads its exact matches from that key
-- instead of checking each person of the range. Go makes every pair key
-- again from the name keys (redoNamePairs), lent ones within their merge.
SELECT 1;
