-- Reserved: another branch (issue 18) takes this number; drop this file when
-- merging it. Kept so that migration numbers stay consecutive here.
SELECT 1;
