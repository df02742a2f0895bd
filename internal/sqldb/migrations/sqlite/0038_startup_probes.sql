-- Start-up probes (issue 19): every start looks for records stored in
-- clear by an earlier version (counselling notes, received arrivals'
-- passports and records) and for the keys that sealed the notes. These
-- indexes make each look-up a probe whatever the size of the registry:
-- the partial ones hold only the rows still to convert, so they stay empty
-- once the conversion is done and cost a writer nothing. The expressions
-- are written exactly as the queries in counselling_notes.go and
-- identifiers_rotate.go write them ('hwenc:' is seal.Prefix; 22 is
-- seal.HeaderLen), so that both planners match them.
CREATE INDEX counselling_notes_clear ON counselling_notes(id) WHERE substr(note, 1, 6) <> 'hwenc:';
CREATE INDEX counselling_notes_key ON counselling_notes(substr(note, 1, 22)) WHERE substr(note, 1, 6) = 'hwenc:';
CREATE INDEX handoff_arrivals_clear ON handoff_arrivals(id) WHERE passport <> '';
CREATE INDEX handoff_arrivals_seal_key ON handoff_arrivals(seal_key);
