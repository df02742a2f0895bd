// Package match finds records that describe the same person: it normalises
// South-Asian names (honorifics, transliteration variants, native scripts),
// compares records field by field, scores the comparison with a
// Fellegi–Sunter model whose parameters are estimated from the data (EM, with
// term-frequency adjustment), finds candidate pairs by blocking on several
// complementary keys, and explains every score in words a case worker can
// read.
//
// Two entry points serve the two workloads: Dedupe and Link process whole
// files in batch (the `homeward dedupe` command), and Index answers "who
// already registered might this be?" online, one registration at a time.
package match
