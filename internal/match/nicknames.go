package match

import (
	_ "embed"
	"strings"
	"sync"
)

// nicknames.csv is names.csv of github.com/carltonnorthern/nicknames
// (commit 21d75051c39c, Apache License 2.0, see nicknames_LICENSE.txt),
// unchanged: English given names and their nicknames ("william,
// has_nickname, bill"), built from public genealogy lists. Spelling
// variants and sounds do not relate "Bill" to "William" or "Harry" to
// "Henry"; the table does.
//
//go:embed nicknames.csv
var builtinNicknames string

var (
	nicknameOnce sync.Once
	nicknameSet  map[string]struct{}
	sharedSet    map[string]struct{} // "harold|henry": two names with a nickname in common (Harry)
)

// nicknamePairs returns the set of "name|nickname" pairs, both ways round.
func nicknamePairs() map[string]struct{} {
	nicknameOnce.Do(func() {
		nicknameSet, sharedSet = map[string]struct{}{}, map[string]struct{}{}
		formals := map[string][]string{} // nickname → the names it is short for
		defer func() {
			for _, fs := range formals {
				for _, x := range fs {
					for _, y := range fs {
						if x != y {
							sharedSet[x+"|"+y] = struct{}{}
						}
					}
				}
			}
		}()
		for i, line := range strings.Split(builtinNicknames, "\n") {
			parts := strings.Split(strings.TrimSpace(line), ",")
			if i == 0 || len(parts) != 3 || parts[1] != "has_nickname" {
				continue
			}
			a, b := Fold(parts[0]), Fold(parts[2])
			if a == "" || b == "" || a == b {
				continue
			}
			nicknameSet[a+"|"+b] = struct{}{}
			nicknameSet[b+"|"+a] = struct{}{}
			formals[b] = append(formals[b], a)
			// Diminutive endings are spelt every way: "Addie" for the
			// listed "Addy", "Emmie" for "Emmy".
			if da, db := dimKey(a), dimKey(b); da != db {
				nicknameSet[da+"|"+db] = struct{}{}
				nicknameSet[db+"|"+da] = struct{}{}
			}
		}
	})
	return nicknameSet
}

// isNickname reports whether one of two (folded) given names is a
// nickname of the other: "william" and "bill", "henry" and "harry".
// Two nicknames of one name ("bill" and "will") are not related by it:
// the table is not transitive ("al" is Albert, Alfred or Alexander).
func isNickname(a, b string) bool {
	if a == "" || b == "" || a == b {
		return false
	}
	set := nicknamePairs()
	if _, ok := set[a+"|"+b]; ok {
		return true
	}
	if da, db := dimKey(a), dimKey(b); da != db {
		if _, ok := set[da+"|"+db]; ok {
			return true
		}
	}
	// A diminutive of a listed nickname: "Artie" is "Art" (Arthur),
	// "Tommie" is "Tom" (Thomas), "Bertie" is "Bert" (Albert).
	for _, p := range [2][2]string{{diminutiveBase(a), b}, {a, diminutiveBase(b)}} {
		if p[0] != "" && p[1] != "" && p[0] != p[1] {
			if _, ok := set[p[0]+"|"+p[1]]; ok {
				return true
			}
		}
	}
	return false
}

// diminutiveBase returns s without an English diminutive ending (-ie, -ey,
// -y, -i) and the doubled consonant before it ("tommie" → "tom"), or ""
// when s has none or too little would be left.
func diminutiveBase(s string) string {
	var base string
	switch {
	case strings.HasSuffix(s, "ie"), strings.HasSuffix(s, "ey"):
		base = s[:len(s)-2]
	case strings.HasSuffix(s, "y"), strings.HasSuffix(s, "i"):
		base = s[:len(s)-1]
	default:
		return ""
	}
	if n := len(base); n >= 3 && base[n-1] == base[n-2] && !isVowel(base[n-1]) {
		base = base[:n-1]
	}
	if len(base) < 2 {
		return ""
	}
	return base
}

// firstToken returns the first word of a folded name.
func firstToken(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// dimKey writes an English diminutive ending (-ie, -ey, -y, -i) as -y, so
// that its spellings meet; other names are unchanged.
func dimKey(s string) string {
	switch {
	case len(s) >= 4 && (strings.HasSuffix(s, "ie") || strings.HasSuffix(s, "ey")):
		return s[:len(s)-2] + "y"
	case len(s) >= 3 && strings.HasSuffix(s, "i"):
		return s[:len(s)-1] + "y"
	}
	return s
}

// shareNickname reports whether two (folded) given names are short for
// nothing in common but have a nickname in common: "Harold" and "Henry"
// are both "Harry", and a clerk who heard "Harry" may write either.
func shareNickname(a, b string) bool {
	if a == "" || b == "" || a == b {
		return false
	}
	nicknamePairs()
	_, ok := sharedSet[a+"|"+b]
	return ok
}
