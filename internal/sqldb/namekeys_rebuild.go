package sqldb

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"homeward/internal/arabicname"
	"homeward/internal/match"
	"homeward/internal/registry"
)

// rebuildNameKeys adds, for the people stored before migration 35, the
// name keys that the Arabic-script rules of issue 21 give them (see
// internal/arabicname): "الحسين" is now keyed "hussain", "Husayn" joins
// "hussain", "عبد الله" is one word. The new keys come from two places:
// each stored name word keyed again (this covers aliases, which are sealed,
// and keys lent by a merge, kept with their merge_id), and the person's
// own Latin and native names keyed whole (this covers the rules that span
// words: the article written apart, عبد الله, Abd Allah). Their sound and
// pair keys follow, and the person_words row is refreshed.
//
// Keys are only added, never removed: an old key that no rule makes any
// more ("al", "husayn") still finds its person under the spelling that made
// it, and Bangla and Latin keys that the rules leave alone are untouched.
// People without keys of their own (erased, or merged away) are skipped.
//
// Migration 36 runs it again: name words in Arabic script then get the
// sound key that match.SoundKey gives them ("جبار" sounds "jbr", as
// Jabbar does), and their pair keys follow.
func rebuildNameKeys(ctx context.Context, tx *sql.Tx, d dialect) error {
	const batch = 1000
	own, err := ownKeyMerge(ctx, tx, d)
	if err != nil {
		return err
	}
	after := ""
	for {
		type person struct{ id, org, given, family, native string }
		rows, err := tx.QueryContext(ctx, d.rebind(`SELECT id, org_id, given_name, family_name, full_name_native FROM people
			WHERE id > ? ORDER BY id LIMIT `+itoa(batch)), after)
		if err != nil {
			return err
		}
		var people []person
		for rows.Next() {
			var p person
			if err := rows.Scan(&p.id, &p.org, &p.given, &p.family, &p.native); err != nil {
				rows.Close()
				return err
			}
			people = append(people, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(people) == 0 {
			return nil
		}
		first, last := people[0].id, people[len(people)-1].id
		after = last
		// The batch's keys, by holder and merge ("" for a person's own).
		type owner struct{ person, merge string }
		type keySet struct {
			has   map[[2]string]bool
			words []string // name words in stored order
		}
		keys := map[owner]*keySet{}
		rows, err = tx.QueryContext(ctx, d.rebind(`SELECT person_id, COALESCE(merge_id, ''), kind, value FROM person_keys
			WHERE person_id >= ? AND person_id <= ? AND kind IN ('name', 'phon', 'pair') ORDER BY person_id, kind, value`), first, last)
		if err != nil {
			return err
		}
		for rows.Next() {
			var o owner
			var k [2]string
			if err := rows.Scan(&o.person, &o.merge, &k[0], &k[1]); err != nil {
				rows.Close()
				return err
			}
			s := keys[o]
			if s == nil {
				s = &keySet{has: map[[2]string]bool{}}
				keys[o] = s
			}
			s.has[k] = true
			if k[0] == "name" {
				s.words = append(s.words, k[1])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var ins strings.Builder
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO person_keys (org_id, kind, value, person_id, merge_id) VALUES `+ins.String()), args...)
			ins.Reset()
			args = args[:0]
			return err
		}
		owners := make([]owner, 0, len(keys))
		for o := range keys {
			owners = append(owners, o)
		}
		sort.Slice(owners, func(i, j int) bool {
			if owners[i].person != owners[j].person {
				return owners[i].person < owners[j].person
			}
			return owners[i].merge < owners[j].merge
		})
		byID := make(map[string]*person, len(people))
		for i := range people {
			byID[people[i].id] = &people[i]
		}
		changed := map[string]bool{}
		for _, o := range owners {
			p, s := byID[o.person], keys[o]
			if p == nil || keys[owner{o.person, ""}] == nil {
				continue
			}
			words := append([]string(nil), s.words...)
			seen := map[string]bool{}
			for _, w := range words {
				seen[w] = true
			}
			var fresh []string
			addWords := func(name string) {
				for _, w := range strings.Fields(registry.NameKey(name)) {
					if !seen[w] {
						seen[w] = true
						words = append(words, w)
						fresh = append(fresh, w)
					}
				}
			}
			for _, w := range s.words {
				addWords(w)
			}
			if o.merge == "" {
				for _, nk := range registry.NameKeys(&registry.Person{GivenName: p.given, FamilyName: p.family, FullNameNative: p.native}) {
					addWords(nk)
				}
			}
			// Stored words in Arabic script have had a sound key since
			// migration 36 (match.SoundKey reads them in Latin letters).
			var soundless []string
			for _, w := range s.words {
				if ph := match.SoundKey(w); arabicname.IsArabicScript(w) && ph != w && len(ph) >= 2 && !s.has[[2]string{"phon", ph}] {
					soundless = append(soundless, w)
				}
			}
			if len(fresh) == 0 && len(soundless) == 0 {
				continue
			}
			var add [][2]string
			for _, w := range fresh {
				add = append(add, [2]string{"name", w})
			}
			for _, w := range append(fresh, soundless...) {
				if ph := match.SoundKey(w); ph != w && len(ph) >= 2 {
					add = append(add, [2]string{"phon", ph})
				}
			}
			for _, v := range soundPairs(words) {
				add = append(add, [2]string{"pair", v})
			}
			var merge any = own
			if o.merge != "" {
				merge = o.merge
			}
			for _, k := range add {
				if s.has[k] {
					continue
				}
				s.has[k] = true
				if len(args) > 0 {
					ins.WriteString(", ")
				}
				ins.WriteString("(?, ?, ?, ?, ?)")
				args = append(args, p.org, k[0], k[1], o.person, merge)
				if len(args) >= 500 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			changed[o.person] = true
		}
		if err := flush(); err != nil {
			return err
		}
		// person_words holds a person's name and sound keys, lent ones
		// included, in the order refreshSearchWords writes them.
		for _, p := range people {
			if !changed[p.id] {
				continue
			}
			var all [][2]string
			for o, s := range keys {
				if o.person != p.id {
					continue
				}
				for k := range s.has {
					if k[0] == "name" || k[0] == "phon" {
						all = append(all, k)
					}
				}
			}
			sort.Slice(all, func(i, j int) bool {
				if all[i][0] != all[j][0] {
					return all[i][0] < all[j][0]
				}
				return all[i][1] < all[j][1]
			})
			all = dedupKeys(all)
			words, sounds := searchWords(all)
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE person_words SET words = ?, sounds = ? WHERE person_id = ?`), words, sounds, p.id); err != nil {
				return err
			}
		}
		if len(people) < batch {
			return nil
		}
	}
}

// dedupKeys drops repeated keys from a sorted list.
func dedupKeys(ks [][2]string) [][2]string {
	out := ks[:0]
	for i, k := range ks {
		if i == 0 || k != ks[i-1] {
			out = append(out, k)
		}
	}
	return out
}
