package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"homeward"
)

// Bounds of a search query: longer ones are refused before any work, so
// that a pasted page of text costs nothing.
const (
	MaxQueryRunes  = 200
	MaxQueryTokens = 8
)

// SearchCountCap is how far a search counts its matches exactly; beyond it
// the count reads "more than SearchCountCap".
const SearchCountCap = 1000

// SearchResult is one page of a search and how many match in all.
type SearchResult struct {
	Items []Summary
	Next  string // cursor of the next page; "" on the last
	// Total counts the matches, exactly when More is false, and otherwise
	// as a lower bound ("more than Total"). Counted is false when the search
	// did not count (later pages, and lists without a query).
	Total   int
	More    bool
	Counted bool
}

// Query is a search string read: either an identifier (it holds a digit:
// case number, phone, document or external id) or name tokens.
type Query struct {
	Identifier string   // trimmed, as typed
	Tokens     []string // name keys (NameKey), distinct, in the order typed
}

// ParseQuery reads a search string. Queries that cannot be answered with
// bounded work are refused with a field error on "q": empty once
// normalised, only one-letter words, longer than MaxQueryRunes or more than
// MaxQueryTokens words. An empty string is the zero Query (no query).
func ParseQuery(s string) (Query, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Query{}, nil
	}
	if utf8.RuneCountInString(s) > MaxQueryRunes || len(strings.Fields(s)) > MaxQueryTokens {
		e := homeward.FieldErrorf("q", "search.too_long", "A search can have at most %d characters and %d words.", MaxQueryRunes, MaxQueryTokens)
		e.Args = map[string]any{"chars": MaxQueryRunes, "words": MaxQueryTokens}
		return Query{}, e
	}
	if strings.IndexFunc(s, unicode.IsDigit) >= 0 {
		return Query{Identifier: s}, nil
	}
	var q Query
	seen := map[string]bool{}
	long := false
	for _, t := range strings.Fields(NameKey(s)) {
		if !seen[t] {
			seen[t] = true
			q.Tokens = append(q.Tokens, t)
			long = long || utf8.RuneCountInString(t) >= 2
		}
	}
	if len(q.Tokens) == 0 {
		return Query{}, homeward.FieldErrorf("q", "registry.search.empty", "Type a name, phone number, ID or case number.")
	}
	if !long {
		return Query{}, homeward.FieldErrorf("q", "search.too_short", "Type at least two letters of a name.")
	}
	return q, nil
}

// Fingerprint identifies a search (query and filters) in its page cursors,
// so that a cursor is never applied to another search.
func (f SearchFilter) Fingerprint(q Query) string {
	h := sha256.New()
	for _, s := range []string{q.Identifier, strings.Join(q.Tokens, " "), f.District, string(f.Status), string(f.Sex), string(f.ReturnType), f.AssignedTo} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}
