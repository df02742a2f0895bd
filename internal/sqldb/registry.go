package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"homeward"
	homecountry "homeward/internal/country"
	"homeward/internal/match"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

var _ registry.Service = (*DB)(nil)

// orgCountry returns the ISO alpha-2 country of an organisation (the
// default country for phone numbers and the prefix of case numbers). It is
// read on every registration and changes almost never, so it is cached for
// a minute.
// ActorCountry returns the ISO alpha-2 country of the actor's organisation
// (registry.RunImport reads local numbers and checks areas by it).
// The system actor has no organisation, so no country ("").
func (db *DB) ActorCountry(ctx context.Context) (string, error) {
	org := actorOrg(homeward.ActorFromContext(ctx))
	if org == "" {
		return "", nil
	}
	return db.orgCountry(ctx, org)
}

func (db *DB) orgCountry(ctx context.Context, orgID string) (string, error) {
	type entry struct {
		country string
		at      time.Time
	}
	if v, ok := db.countries.Load(orgID); ok && time.Since(v.(entry).at) < time.Minute {
		return v.(entry).country, nil
	}
	var c string
	if err := db.queryRow(ctx, `SELECT country FROM organisations WHERE id = ?`, orgID).Scan(&c); err != nil {
		return "", notFound(err)
	}
	db.countries.Store(orgID, entry{c, time.Now()})
	return c, nil
}

func actorID(a *homeward.Actor) string {
	if a == nil || a.System {
		return "system"
	}
	return a.UserID
}

// district returns the district p-code at or above area, or "".
func district(area string) string {
	for _, a := range reference.AreaPath(area) {
		if a.Level == "district" {
			return a.Code
		}
	}
	return ""
}

// soundKey is what a name word sounds like, for "pair" keys: its sound
// key (match.Phonetic) when it has one, else the word itself.
func soundKey(word string) string {
	if ph := match.SoundKey(word); ph != word && len(ph) >= 2 {
		return ph
	}
	return word
}

// pairSep parts a "pair" key's sounds from its words (name words and
// sound keys are letters only); pairEnd is the byte after it.
const pairSep, pairEnd = "|", "}"

// pairKey is the "pair" key of two name words: their sound keys, then
// the words themselves, both in the order of (sound, word), as
// "rfkl slm|rafiqul islam". The sounds lead, so that one index range
// holds every name that sounds like the two words ("Rofiqul Islaam"
// too; see soundPairRange), and the words follow, so that the people with
// the two words exactly are one key (since migration 45; the sounds
// alone before).
func pairKey(a, b string) string {
	sa, sb := soundKey(a), soundKey(b)
	if sb < sa || sb == sa && b < a {
		a, b, sa, sb = b, a, sb, sa
	}
	return sa + " " + sb + pairSep + a + " " + b
}

// soundPairRange returns the range [lo, hi) of the "pair" keys of every
// two words that sound like a and b.
func soundPairRange(a, b string) (lo, hi string) {
	sa, sb := soundKey(a), soundKey(b)
	p := min(sa, sb) + " " + max(sa, sb)
	return p + pairSep, p + pairEnd
}

// soundPairs returns the "pair" keys of a person's distinct name words
// (the first maxPairWords of them): every two words as one key, so that
// a search for a common full name reads the people whose name sounds like
// both words ("Rafiqul Islam", "Rofiqul Islaam") from one short index
// range, and those with both words exactly from one key, instead of
// checking the thousands with either word.
func soundPairs(words []string) []string {
	words = words[:min(len(words), maxPairWords)]
	var out []string
	for i, a := range words {
		for _, b := range words[i+1:] {
			out = append(out, pairKey(a, b))
		}
	}
	return out
}

// backfillNamePairs gives the people stored before migration 21 their
// "pair" keys, from their name keys: a person's own, and each set lent by
// a merge (same merge_id) on its own, as personKeys and a merge make them.
func backfillNamePairs(ctx context.Context, tx *sql.Tx, d dialect) error {
	const batch = 5000
	type owner struct{ org, person, merge string }
	own, err := ownKeyMerge(ctx, tx, d)
	if err != nil {
		return err
	}
	after := ""
	for {
		rows, err := tx.QueryContext(ctx, d.rebind(`SELECT org_id, person_id, COALESCE(merge_id, ''), value FROM person_keys
			WHERE kind = 'name' AND person_id > ? ORDER BY person_id LIMIT `+itoa(batch)), after)
		if err != nil {
			return err
		}
		var order []owner
		words := map[owner][]string{}
		n := 0
		for rows.Next() {
			var o owner
			var v string
			if err := rows.Scan(&o.org, &o.person, &o.merge, &v); err != nil {
				rows.Close()
				return err
			}
			n++
			if _, ok := words[o]; !ok {
				order = append(order, o)
			}
			words[o] = append(words[o], v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// A full batch may end inside a person: that person is read again
		// whole by the next one.
		if n == batch {
			last := order[len(order)-1].person
			if order[0].person == last {
				return fmt.Errorf("person %s has more than %d name keys", last, batch)
			}
			for len(order) > 0 && order[len(order)-1].person == last {
				delete(words, order[len(order)-1])
				order = order[:len(order)-1]
			}
		}
		var q strings.Builder
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO person_keys (org_id, kind, value, person_id, merge_id) VALUES `+q.String()), args...)
			q.Reset()
			args = args[:0]
			return err
		}
		for _, o := range order {
			var merge any = own
			if o.merge != "" {
				merge = o.merge
			}
			seen := map[string]bool{}
			for _, v := range soundPairs(words[o]) {
				if seen[v] {
					continue
				}
				seen[v] = true
				if len(args) > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, 'pair', ?, ?, ?)")
				args = append(args, o.org, v, o.person, merge)
				if len(args) >= 400 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			after = o.person
		}
		if err := flush(); err != nil {
			return err
		}
		if n < batch {
			return nil
		}
	}
}

// redoNamePairs makes every "pair" key again from the name keys, as
// backfillNamePairs makes them (migration 45: the keys of before hold the
// sounds alone). Lent keys are released for the delete first (the
// person_keys_keep_lent trigger keeps them from a plain one); the keys
// made again are lent by the same merges.
func redoNamePairs(ctx context.Context, tx *sql.Tx, d dialect) error {
	for _, stmt := range []string{
		`UPDATE person_keys SET merge_id = '!' || merge_id WHERE kind = 'pair' AND merge_id <> '' AND substr(merge_id, 1, 1) <> '!'`,
		`DELETE FROM person_keys WHERE kind = 'pair'`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return backfillNamePairs(ctx, tx, d)
}

// ownKeyMerge is the merge_id of a person's own search key (not lent by a
// merge): NULL before migration 37, the empty string since, when the column joined the
// key's primary key on SQLite. The Go steps of earlier migrations run on
// the table as it was then, and again (in tests) on the table as it is.
func ownKeyMerge(ctx context.Context, tx *sql.Tx, d dialect) (any, error) {
	q := `SELECT COUNT(*) FROM pragma_table_info('person_keys') WHERE name = 'merge_id' AND "notnull" = 1`
	if d == postgres {
		q = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'person_keys'
			AND column_name = 'merge_id' AND is_nullable = 'NO'`
	}
	var n int
	if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	return "", nil
}

// maxPairWords bounds the name words paired into "pair" keys (8 words, 28
// pairs): a name with more words is paired on its first ones.
const maxPairWords = 8

// personKeys returns the search keys of a person: name tokens, their sound
// keys and pairs, phones and document numbers.
func personKeys(p *registry.Person) [][2]string {
	seen := map[[2]string]bool{}
	var keys [][2]string
	add := func(kind, v string) {
		k := [2]string{kind, v}
		if v != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var words []string
	for _, nk := range registry.NameKeys(p) {
		for _, tok := range strings.Fields(nk) {
			if !seen[[2]string{"name", tok}] {
				words = append(words, tok)
			}
			add("name", tok)
			// A sound key finds spellings no variant table lists
			// (Rafiqul / Rofikul, Akhter / Aktar).
			if ph := match.SoundKey(tok); ph != tok && len(ph) >= 2 {
				add("phon", ph)
			}
		}
	}
	for _, v := range soundPairs(words) {
		add("pair", v)
	}
	for _, ph := range p.Phones {
		add("phone", ph)
	}
	for _, d := range p.Documents {
		add("doc", registry.NormalizeDocumentNumber(d.Number))
	}
	// The external id is no key: people_external finds it (see
	// externalHolders).
	return keys
}

// searchWords returns what person_words.words and sounds hold for
// keys: the name words and the sound keys, each between spaces, so that
// " tok" finds a word a token begins and " tok " a whole word.
func searchWords(keys [][2]string) (words, sounds string) {
	var w, s strings.Builder
	for _, k := range keys {
		switch k[0] {
		case "name":
			w.WriteString(" " + k[1])
		case "phon":
			s.WriteString(" " + k[1])
		}
	}
	if w.Len() > 0 {
		w.WriteString(" ")
	}
	if s.Len() > 0 {
		s.WriteString(" ")
	}
	return w.String(), s.String()
}

// refreshSearchWords copies person id's name and sound keys, lent ones
// included, to its person_words row (see searchWords).
func (tx *Tx) refreshSearchWords(id string) error {
	rows, err := tx.Query(`SELECT kind, value FROM person_keys WHERE person_id = ? AND kind IN ('name', 'phon') ORDER BY kind, value`, id)
	if err != nil {
		return err
	}
	var keys [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	words, sounds := searchWords(keys)
	_, err = tx.Exec(`UPDATE person_words SET words = ?, sounds = ? WHERE person_id = ?`, words, sounds, id)
	return err
}

// writeKeys stores a person's search keys (see personKeys), replacing the
// old ones if replace is set. Keys lent by a merged-away person stay (a
// trigger keeps them until the merge is undone).
func (tx *Tx) writeKeys(orgID, personID string, keys [][2]string, replace bool) error {
	if replace {
		if _, err := tx.Exec(`DELETE FROM person_keys WHERE person_id = ?`, personID); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO person_keys (org_id, kind, value, person_id) VALUES `)
	args := make([]any, 0, 4*len(keys))
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?)")
		args = append(args, orgID, k[0], k[1], personID)
	}
	_, err := tx.Exec(q.String(), args...)
	return err
}

// caseNumberKey prefixes case number counters among a transaction's heads.
const caseNumberKey = "\x00case_numbers:"

// caseSeries returns the series of the case numbers the transaction gives
// in country: its counter's prefix ("BGD-2026"), and its alpha3 and year.
func (tx *Tx) caseSeries(country string) (prefix, alpha3 string, year int) {
	alpha3 = "XXX"
	if p := homecountry.Lookup(country); p != nil {
		alpha3 = p.CasePrefix // the country pack's, BGD for Bangladesh
	} else if c := reference.CountryByCode(country); c != nil {
		alpha3 = c.Alpha3
	}
	year = tx.now.Year()
	return fmt.Sprintf("%s-%d", alpha3, year), alpha3, year
}

// lockOrder takes, on PostgreSQL, the audit chain head of orgID before a
// case number counter: every transaction that holds both took them in this
// order, so that none waits for the other in a cycle (the registration
// seals its audit event before it numbers its case, see openCaseAudited).
//
// With deferred sealing (DB.DeferAuditSeal) the transaction takes no head.
func (tx *Tx) lockOrder(orgID string) error {
	if tx.db.dialect != postgres || tx.db.DeferAuditSeal {
		return nil
	}
	_, err := tx.takeHead(homeward.ChainFor(orgID))
	return err
}

func (tx *Tx) nextCaseNumber(orgID, country string) (string, error) {
	prefix, alpha3, year := tx.caseSeries(country)
	// The counter is read once per transaction (the no-op upsert creates the
	// prefix's row on first use and, on PostgreSQL, locks it until commit),
	// counted on in memory and written back at commit, like audit heads: a
	// group of registrations touches the row once, not once each.
	key := caseNumberKey + prefix
	var n, stored int64
	if h := tx.heads[key]; h != nil {
		n, stored = h.seq+1, h.stored
	} else {
		// The first number of the transaction is taken in the statement
		// that locks the counter (a registration's only one), so nothing is
		// left to write at commit; later ones are counted in memory.
		if err := tx.lockOrder(orgID); err != nil {
			return "", err
		}
		if err := tx.QueryRow(`INSERT INTO case_numbers (prefix, last) VALUES (?, 1)
			ON CONFLICT (prefix) DO UPDATE SET last = case_numbers.last + 1 RETURNING last`, prefix).Scan(&n); err != nil {
			return "", err
		}
		stored = n
	}
	tx.heads[key] = &txHead{seq: n, stored: stored, caseNumber: true}
	return registry.FormatCaseNumber(alpha3, year, int(n)), nil
}

// preparedPerson is what storing a new person needs that can be worked out
// before the write transaction (JSON, search keys, the case's copied
// facts), so that SQLite's single writer only inserts.
type preparedPerson struct {
	person, episodes                         string
	sealKey                                  string // the data key that sealed person
	keys                                     [][2]string
	returnDate, returnType, dest, districtOf string
}

// preparePerson gives p a new ID (whatever the caller sent) and prepares it
// for insertPerson: sealed under k's current data key, with blind indexes
// for its phones and documents.
func preparePerson(k *identKeys, p *registry.Person, episodes []registry.MigrationEpisode) (*preparedPerson, error) {
	p.ID = homeward.NewID()
	sealed, keyID, err := k.sealPerson(p)
	if err != nil {
		return nil, err
	}
	ej, err := json.Marshal(nonNilSlice(episodes))
	if err != nil {
		return nil, err
	}
	pp := &preparedPerson{person: sealed, sealKey: keyID, episodes: string(ej), keys: k.blindKeys(personKeys(p))}
	pp.returnDate, pp.returnType, pp.dest, pp.districtOf = caseFacts(p, episodes)
	return pp, nil
}

func (tx *Tx) insertPerson(p *registry.Person, pp *preparedPerson) error {
	_, err := tx.Exec(`INSERT INTO people (id, org_id, external_id, given_name, family_name, full_name_native, sex, date_of_birth, admin_area, person, seal_key, episodes, version, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
		p.ID, p.OrgID, p.ExternalID, p.GivenName, p.FamilyName, p.FullNameNative, string(p.Sex), p.DateOfBirth.String(), p.Address.AdminArea,
		pp.person, pp.sealKey, pp.episodes, actorID(tx.actor), tx.now, tx.now)
	if isUniqueViolation(err) {
		return homeward.FieldErrorf("person.external_id", "registry.external_id.taken", "Another person of your organisation has this external ID.")
	} else if err != nil {
		return err
	}
	words, sounds := searchWords(pp.keys)
	_, err = tx.Exec(`INSERT INTO person_words (person_id, words, sounds) VALUES (?, ?, ?)`, p.ID, words, sounds)
	return err
}

// caseFacts copies what the case list filters on from the person and the
// latest return.
func caseFacts(p *registry.Person, episodes []registry.MigrationEpisode) (returnDate, returnType, dest, dist string) {
	if e := registry.LatestReturn(episodes); e != nil {
		dest = e.DestinationCountry
		if e.Return != nil {
			returnDate, returnType = e.Return.Date.String(), string(e.Return.ReturnType)
		}
	}
	return returnDate, returnType, dest, district(p.Address.AdminArea)
}

func (tx *Tx) openCase(c *registry.Case, p *registry.Person, pp *preparedPerson, country string) error {
	number, err := tx.nextCaseNumber(p.OrgID, country)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO cases (`+newCaseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`, tx.caseValues(c, number, p, pp)...)
	return err
}

// newCaseColumns are the columns of a new case, in the order of caseValues.
const newCaseColumns = `id, number, org_id, person_id, assigned_to, status, priority, vulnerabilities, incomplete, return_date, return_type, destination_country, district, sex, opened_at, version, updated_at`

// caseValues completes a new case c of p numbered number and returns its
// row in the order of newCaseColumns, version left out (1).
func (tx *Tx) caseValues(c *registry.Case, number string, p *registry.Person, pp *preparedPerson) []any {
	c.ID, c.Number, c.OrgID, c.PersonID, c.OpenedAt, c.Version = homeward.NewID(), number, p.OrgID, p.ID, tx.now, 1
	if c.Status == "" {
		c.Status = registry.StatusRegistered
	}
	if c.Priority == "" {
		c.Priority = registry.PriorityNormal
	}
	if c.AssignedTo == "" && tx.actor != nil && tx.actor.HasRole(homeward.RoleCaseWorker) {
		c.AssignedTo = tx.actor.UserID
	}
	vj, _ := json.Marshal(nonNilSlice(c.Vulnerabilities))
	var assigned any
	if c.AssignedTo != "" {
		assigned = c.AssignedTo
	}
	return []any{c.ID, c.Number, c.OrgID, c.PersonID, assigned, string(c.Status), string(c.Priority), string(vj), c.Incomplete, pp.returnDate, pp.returnType, pp.dest, pp.districtOf, string(p.Sex), tx.now, tx.now}
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (tx *Tx) addEvent(orgID string, ev registry.TimelineEvent) error {
	v, err := tx.eventValues(orgID, ev)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO case_events (id, case_id, org_id, kind, at, actor_id, event) VALUES (?, ?, ?, ?, ?, ?, ?)`, v...)
	return err
}

// eventValues gives ev an id (and the transaction's time and actor unless
// set) and returns the case_events row that stores it: id, case_id,
// org_id, kind, at, actor_id, event.
func (tx *Tx) eventValues(orgID string, ev registry.TimelineEvent) ([]any, error) {
	ev.ID = homeward.NewID()
	if ev.At.IsZero() {
		ev.At = tx.now
	}
	if ev.Actor == "" {
		ev.Actor = actorID(tx.actor)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	return []any{ev.ID, ev.CaseID, orgID, string(ev.Kind), ev.At, ev.Actor, string(b)}, nil
}

func (tx *Tx) insertConsent(c *registry.Consent) error {
	c.ID = homeward.NewID()
	if c.RecordedAt.IsZero() {
		c.RecordedAt = tx.now
	}
	if c.RecordedBy == "" {
		c.RecordedBy = actorID(tx.actor)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO consents (id, person_id, org_id, purpose, consent, recorded_at, withdrawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.PersonID, c.OrgID, string(c.Purpose), string(b), c.RecordedAt, c.WithdrawnAt)
	return err
}

// register stores a normalised, validated registration with a new case.
// pp, if not nil, is the person prepared by preparePerson.
func (tx *Tx) register(reg *registry.Registration, c *registry.Case, country string, pp *preparedPerson) (*registry.Record, error) {
	p := &reg.Person
	if pp == nil {
		k, err := tx.identKeys()
		if err != nil {
			return nil, err
		}
		if pp, err = preparePerson(k, p, reg.Episodes); err != nil {
			return nil, err
		}
	}
	if err := tx.insertPerson(p, pp); err != nil {
		return nil, err
	}
	if err := tx.writeKeys(p.OrgID, p.ID, pp.keys, false); err != nil {
		return nil, err
	}
	for i := range reg.Consents {
		reg.Consents[i].PersonID, reg.Consents[i].OrgID, reg.Consents[i].RecordedAt = p.ID, p.OrgID, tx.now
		if err := tx.insertConsent(&reg.Consents[i]); err != nil {
			return nil, err
		}
	}
	// What every registration shares comes last, so that on PostgreSQL the
	// series' case number counter and the organisation's audit chain head
	// are locked for as few statements as possible before the commit
	// releases them: several nodes registering at once queue on them.
	if err := tx.openCaseAudited(c, p, pp, country); err != nil {
		return nil, err
	}
	return &registry.Record{Person: *p, Episodes: nonNilSlice(reg.Episodes), Case: c, Consents: nonNilSlice(reg.Consents), Version: 1, CreatedAt: tx.now, UpdatedAt: tx.now}, nil
}

// Register validates a registration and stores the person, their episodes
// and consents with a newly opened case, in one transaction.
func (db *DB) Register(ctx context.Context, reg *registry.Registration) (*registry.Record, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPersonCreate, homeward.Resource{Type: "person", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	country, err := db.orgCountry(ctx, actorOrg(actor))
	if err != nil {
		return nil, err
	}
	reg.Person.OrgID = actorOrg(actor)
	reg.Normalize(country)
	now := db.Now()
	for i := range reg.Consents {
		// Who recorded a consent and when is the system's to say.
		c := &reg.Consents[i]
		c.RecordedBy, c.RecordedAt, c.WithdrawnAt, c.WithdrawnBy = actorID(actor), now, nil, ""
	}
	if err := reg.Validate(now.In(db.zoneFor(ctx))); err != nil {
		return nil, err
	}
	k, err := db.identKeys(ctx)
	if err != nil {
		return nil, err
	}
	pp, err := preparePerson(k, &reg.Person, reg.Episodes)
	if err != nil {
		return nil, err
	}
	var rec *registry.Record
	err = db.TransactGrouped(ctx, func(tx *Tx) error {
		var err error
		rec, err = tx.register(reg, &registry.Case{}, country, pp)
		return err
	})
	if err == nil {
		db.personChanged(rec.Person.OrgID, rec.Person.ID)
	}
	return rec, err
}

// RegisterReception stores a quick arrival registration as an incomplete
// case, with the reception services given on its timeline.
func (db *DB) RegisterReception(ctx context.Context, r *registry.Reception) (*registry.Record, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPersonCreate, homeward.Resource{Type: "person", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	country, err := db.orgCountry(ctx, actorOrg(actor))
	if err != nil {
		return nil, err
	}
	p, ep, c, err := r.Draft(country, db.local(ctx))
	if err != nil {
		return nil, err
	}
	p.OrgID = actorOrg(actor)
	reg := &registry.Registration{Person: p, Episodes: []registry.MigrationEpisode{ep}}
	var rec *registry.Record
	err = db.Transact(ctx, func(tx *Tx) error {
		var err error
		if rec, err = tx.register(reg, &c, country, nil); err != nil {
			return err
		}
		return tx.addEvent(p.OrgID, registry.NewCaseEvent(c.ID, registry.EventReception, "", tx.now, map[string]any{"services": r.Services, "point": r.PointOfEntry}))
	})
	if err == nil {
		db.personChanged(rec.Person.OrgID, rec.Person.ID)
	}
	return rec, err
}

func actorOrg(a *homeward.Actor) string {
	if a == nil {
		return ""
	}
	return a.OrgID
}

const caseColumns = `c.id, c.number, c.org_id, c.person_id, COALESCE(c.assigned_to, ''), c.status, c.closure_reason, c.priority, c.vulnerabilities, c.incomplete, c.opened_at, c.closed_at, c.version`

func scanCase(s interface{ Scan(...any) error }) (*registry.Case, int, error) {
	c := &registry.Case{}
	var vulns string
	var version int
	if err := s.Scan(&c.ID, &c.Number, &c.OrgID, &c.PersonID, &c.AssignedTo, &c.Status, &c.ClosureReason, &c.Priority, &vulns, &c.Incomplete,
		dbTime{&c.OpenedAt}, dbNullTime{&c.ClosedAt}, &version); err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal([]byte(vulns), &c.Vulnerabilities); err != nil {
		return nil, 0, err
	}
	c.Version = version
	return c, version, nil
}

// loadRecord reads a person's record with q (the read pool or a transaction).
func (db *DB) loadRecord(ctx context.Context, qr func(string, ...any) scanner, qs func(string, ...any) (rowsT, error), personID string) (*registry.Record, error) {
	rec := &registry.Record{}
	keys, err := db.readKeys(ctx)
	if err != nil {
		return nil, err
	}
	var pj, ej string
	var merged *string
	if err := qr(`SELECT person, episodes, version, created_at, updated_at, merged_into FROM people WHERE id = ?`, personID).
		Scan(&pj, &ej, &rec.Version, dbTime{&rec.CreatedAt}, dbTime{&rec.UpdatedAt}, &merged); err != nil {
		return nil, notFound(err)
	}
	if err := db.openPerson(ctx, keys, pj, personID, &rec.Person); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ej), &rec.Episodes); err != nil {
		return nil, err
	}
	if merged != nil {
		rec.MergedInto = *merged
	}
	// A person's case is their own, not one taken in from a person merged
	// into them (that one's history shows on the timeline of this one).
	c, _, err := scanCase(qr(`SELECT `+caseColumns+` FROM cases c WHERE c.person_id = ? AND c.merged_into IS NULL ORDER BY c.opened_at DESC LIMIT 1`, personID))
	if err != nil && err != errNoRows {
		return nil, err
	}
	rec.Case = c
	rec.Consents, err = personConsents(qs, personID)
	return rec, err
}

// personConsents reads every consent recorded for a person, oldest first.
func personConsents(qs func(string, ...any) (rowsT, error), personID string) ([]registry.Consent, error) {
	rows, err := qs(`SELECT consent FROM consents WHERE person_id = ? ORDER BY recorded_at, id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []registry.Consent{}
	for rows.Next() {
		var cj string
		if err := rows.Scan(&cj); err != nil {
			return nil, err
		}
		var c registry.Consent
		if err := json.Unmarshal([]byte(cj), &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

type rowsT interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}

func (db *DB) readers(ctx context.Context) (func(string, ...any) scanner, func(string, ...any) (rowsT, error)) {
	return func(q string, a ...any) scanner { return db.queryRow(ctx, q, a...) },
		func(q string, a ...any) (rowsT, error) { return db.query(ctx, q, a...) }
}

func (tx *Tx) readers() (func(string, ...any) scanner, func(string, ...any) (rowsT, error)) {
	return func(q string, a ...any) scanner { return tx.QueryRow(q, a...) },
		func(q string, a ...any) (rowsT, error) { return tx.Query(q, a...) }
}

// FindRecord returns a person's record if the actor may read it; people
// of other organisations are not found.
func (db *DB) FindRecord(ctx context.Context, personID string) (*registry.Record, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT p.org_id FROM people p WHERE p.id = ?`+notErased, personID).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "person", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "person", ID: personID, OrgID: org}); err != nil {
		return nil, err
	}
	qr, qs := db.readers(ctx)
	return db.loadRecord(ctx, qr, qs, personID)
}

// UpdatePerson replaces the person (and episodes, when given) if version is
// current; search keys and the case's copied facts follow.
func (db *DB) UpdatePerson(ctx context.Context, personID string, version int, upd registry.PersonUpdate) (*registry.Record, error) {
	actor := homeward.ActorFromContext(ctx)
	var rec *registry.Record
	err := db.Transact(ctx, func(tx *Tx) error {
		var org string
		var mergedInto *string
		if err := tx.QueryRow(`SELECT org_id, merged_into FROM people WHERE id = ?`, personID).Scan(&org, &mergedInto); err != nil {
			if err := homeward.Authorize(actor, homeward.ActPersonUpdate, homeward.Resource{Type: "person", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActPersonUpdate, homeward.Resource{Type: "person", ID: personID, OrgID: org}); err != nil {
			return err
		}
		if mergedInto != nil {
			// The hidden copy of a merged person is kept only to undo the
			// merge; edits belong on the record it was merged into.
			return homeward.Errorf(homeward.ECONFLICT, "registry.person.merged_away", "This record was merged into another one; edit that record instead.")
		}
		qr, qs := tx.readers()
		var err error
		if rec, err = db.loadRecord(ctx, qr, qs, personID); err != nil {
			return err
		}
		if rec.Version != version {
			return staleVersion()
		}
		var country string
		if err := tx.QueryRow(`SELECT country FROM organisations WHERE id = ?`, org).Scan(&country); err != nil {
			return err
		}
		reg := registry.Registration{Person: rec.Person, Episodes: rec.Episodes}
		if upd.Person != nil {
			reg.Person = *upd.Person
		}
		if upd.Episodes != nil {
			reg.Episodes = *upd.Episodes
		}
		reg.Person.ID, reg.Person.OrgID = personID, org
		if upd.Person != nil && upd.Person.ExternalID == "" {
			reg.Person.ExternalID = rec.Person.ExternalID
		}
		reg.Normalize(country)
		if err := reg.Validate(tx.Local()); err != nil {
			return err
		}
		changed := changedFields(&rec.Person, &reg.Person, rec.Episodes, reg.Episodes)
		if len(changed) == 0 {
			return nil
		}
		if err := tx.updatePerson(&reg, rec.Case, version); err != nil {
			return err
		}
		rec.Person, rec.Episodes, rec.Version, rec.UpdatedAt = reg.Person, reg.Episodes, version+1, tx.now
		if rec.Case != nil {
			if err := tx.addEvent(org, registry.NewCaseEvent(rec.Case.ID, registry.EventPersonUpdated, "", tx.now, map[string]any{"fields": strings.Join(changed, ", ")})); err != nil {
				return err
			}
		}
		return tx.Audit("person.update", "person", personID, org, map[string]any{"changed": changed})
	})
	if err != nil {
		return nil, err
	}
	db.personChanged(rec.Person.OrgID, personID)
	return rec, nil
}

func (tx *Tx) updatePerson(reg *registry.Registration, c *registry.Case, version int) error {
	p := &reg.Person
	k, err := tx.identKeys()
	if err != nil {
		return err
	}
	pj, keyID, err := k.sealPerson(p)
	if err != nil {
		return err
	}
	ej, _ := json.Marshal(nonNilSlice(reg.Episodes))
	res, err := tx.Exec(`UPDATE people SET external_id = ?, given_name = ?, family_name = ?, full_name_native = ?, sex = ?, date_of_birth = ?, admin_area = ?, person = ?, seal_key = ?, episodes = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`, p.ExternalID, p.GivenName, p.FamilyName, p.FullNameNative, string(p.Sex), p.DateOfBirth.String(), p.Address.AdminArea, pj, keyID, string(ej), tx.now, p.ID, version)
	if isUniqueViolation(err) {
		return homeward.FieldErrorf("person.external_id", "registry.external_id.taken", "Another person of your organisation has this external ID.")
	} else if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return staleVersion()
	}
	if err := tx.writeKeys(p.OrgID, p.ID, k.blindKeys(personKeys(p)), true); err != nil {
		return err
	}
	// The person's keys now: their own and any lent by a merge.
	if err := tx.refreshSearchWords(p.ID); err != nil {
		return err
	}
	if c != nil {
		rd, rt, dest, dist := caseFacts(p, reg.Episodes)
		if _, err := tx.Exec(`UPDATE cases SET return_date = ?, return_type = ?, destination_country = ?, district = ?, sex = ?, updated_at = ? WHERE id = ?`,
			rd, rt, dest, dist, string(p.Sex), tx.now, c.ID); err != nil {
			return err
		}
		if err := tx.refreshCaseTasks(p.ID); err != nil {
			return err
		}
	}
	return nil
}

// changedFields names the top-level fields that differ, for the timeline
// and audit (never their values: they may be sensitive).
func changedFields(a, b *registry.Person, ea, eb []registry.MigrationEpisode) []string {
	var am, bm map[string]json.RawMessage
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &am)
	_ = json.Unmarshal(jb, &bm)
	var out []string
	for k, v := range bm {
		if string(am[k]) != string(v) {
			out = append(out, k)
		}
	}
	for k := range am {
		if _, ok := bm[k]; !ok {
			out = append(out, k)
		}
	}
	x, _ := json.Marshal(nonNilSlice(ea))
	y, _ := json.Marshal(nonNilSlice(eb))
	if string(x) != string(y) {
		out = append(out, "episodes")
	}
	slices.Sort(out)
	return out
}

// UpdateCase changes a case's assignment (supervisors), priority,
// vulnerability flags or status (through the lifecycle's allowed moves).
func (db *DB) UpdateCase(ctx context.Context, caseID string, version int, upd registry.CaseUpdate) (*registry.Case, int, error) {
	actor := homeward.ActorFromContext(ctx)
	var c *registry.Case
	var newVersion int
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		var v int
		c, v, err = scanCase(tx.QueryRow(`SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, caseID))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActPersonUpdate, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		res := homeward.Resource{Type: "case", ID: caseID, OrgID: c.OrgID}
		if err := homeward.Authorize(actor, homeward.ActPersonUpdate, res); err != nil {
			return err
		}
		if v != version {
			return staleVersion()
		}
		var events []registry.TimelineEvent
		if upd.AssignedTo != nil && *upd.AssignedTo != c.AssignedTo {
			if err := homeward.Authorize(actor, homeward.ActCaseAssign, res); err != nil {
				return err
			}
			if *upd.AssignedTo != "" {
				var roles string
				if err := tx.QueryRow(`SELECT roles FROM users WHERE id = ? AND org_id = ? AND NOT disabled`, *upd.AssignedTo, c.OrgID).Scan(&roles); err != nil {
					return homeward.FieldErrorf("assigned_to", "registry.case.assignee", "Assign the case to an active case worker or supervisor of the organisation.")
				}
				if !strings.Contains(roles, string(homeward.RoleCaseWorker)) && !strings.Contains(roles, string(homeward.RoleSupervisor)) {
					return homeward.FieldErrorf("assigned_to", "registry.case.assignee", "Assign the case to an active case worker or supervisor of the organisation.")
				}
			}
			c.AssignedTo = *upd.AssignedTo
			events = append(events, registry.NewCaseEvent(caseID, registry.EventAssigned, "", tx.now, map[string]any{"user": c.AssignedTo}))
		}
		if upd.Priority != nil && *upd.Priority != c.Priority {
			from := c.Priority
			c.Priority = *upd.Priority
			events = append(events, registry.NewCaseEvent(caseID, registry.EventPriorityChanged, "", tx.now, map[string]any{"from": string(from), "to": string(c.Priority)}))
		}
		if upd.Vulnerabilities != nil {
			old := map[registry.Vulnerability]bool{}
			for _, x := range c.Vulnerabilities {
				old[x] = true
			}
			now := map[registry.Vulnerability]bool{}
			for _, x := range *upd.Vulnerabilities {
				now[x] = true
				if !old[x] {
					events = append(events, registry.NewCaseEvent(caseID, registry.EventFlagAdded, "", tx.now, map[string]any{"flag": string(x)}))
				}
			}
			for x := range old {
				if !now[x] {
					events = append(events, registry.NewCaseEvent(caseID, registry.EventFlagRemoved, "", tx.now, map[string]any{"flag": string(x)}))
				}
			}
			c.Vulnerabilities = slices.Clone(*upd.Vulnerabilities)
		}
		if upd.Status != nil && *upd.Status != c.Status {
			if *upd.Status == registry.StatusClosed {
				if err := homeward.Authorize(actor, homeward.ActCaseClose, res); err != nil {
					return homeward.Errorf(homeward.EFORBIDDEN, "ui_b.case.close_supervisor", "Only a supervisor closes a case.")
				}
			}
			ev, err := c.Transition(*upd.Status, upd.ClosureReason, actorID(actor), tx.now)
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if len(events) == 0 {
			newVersion = v
			return nil
		}
		vj, _ := json.Marshal(nonNilSlice(c.Vulnerabilities))
		var assigned any
		if c.AssignedTo != "" {
			assigned = c.AssignedTo
		}
		r, err := tx.Exec(`UPDATE cases SET assigned_to = ?, priority = ?, vulnerabilities = ?, status = ?, closure_reason = ?, closed_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, assigned, string(c.Priority), string(vj), string(c.Status), string(c.ClosureReason), c.ClosedAt, tx.now, caseID, version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return staleVersion()
		}
		newVersion = v + 1
		c.Version = newVersion
		for _, ev := range events {
			ev.CaseID = caseID
			if err := tx.addEvent(c.OrgID, ev); err != nil {
				return err
			}
		}
		return tx.Audit("case.update", "case", caseID, c.OrgID, map[string]any{"events": len(events), "status": c.Status})
	})
	if err != nil {
		return nil, 0, err
	}
	return c, newVersion, nil
}

func (db *DB) personOrg(ctx context.Context, q func(string, ...any) scanner, personID string, action homeward.Action) (string, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := q(`SELECT p.org_id FROM people p WHERE p.id = ?`+notErased, personID).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, action, homeward.Resource{Type: "person", OrgID: actorOrg(actor)}); err != nil {
			return "", err
		}
		return "", notFound(err)
	}
	return org, homeward.Authorize(actor, action, homeward.Resource{Type: "person", ID: personID, OrgID: org})
}

// RecordConsent records a consent given by the person.
func (db *DB) RecordConsent(ctx context.Context, personID string, c *registry.Consent) error {
	return db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		org, err := db.personOrg(ctx, qr, personID, homeward.ActConsentRecord)
		if err != nil {
			return err
		}
		c.PersonID, c.OrgID, c.RecordedBy, c.RecordedAt, c.WithdrawnAt, c.WithdrawnBy = personID, org, actorID(tx.actor), tx.now, nil, ""
		if err := c.Validate(tx.now); err != nil {
			return err
		}
		if err := tx.insertConsent(c); err != nil {
			return err
		}
		if err := tx.eventForPerson(personID, org, registry.EventConsentRecorded, map[string]any{"purpose": string(c.Purpose)}); err != nil {
			return err
		}
		return tx.Audit("consent.record", "consent", c.ID, org, map[string]any{"person_id": personID, "purpose": c.Purpose})
	})
}

func (tx *Tx) eventForPerson(personID, org string, kind registry.EventKind, args map[string]any) error {
	var caseID string
	err := tx.QueryRow(`SELECT id FROM cases WHERE person_id = ? ORDER BY opened_at DESC LIMIT 1`, personID).Scan(&caseID)
	if err == errNoRows {
		return nil
	} else if err != nil {
		return err
	}
	return tx.addEvent(org, registry.NewCaseEvent(caseID, kind, "", tx.now, args))
}

// WithdrawConsent records the withdrawal of a consent; it takes effect at
// once and the consent is kept.
func (db *DB) WithdrawConsent(ctx context.Context, consentID string) error {
	return db.Transact(ctx, func(tx *Tx) error {
		var personID, cj string
		if err := tx.QueryRow(`SELECT person_id, consent FROM consents WHERE id = ?`, consentID).Scan(&personID, &cj); err != nil {
			actor := homeward.ActorFromContext(ctx)
			if err := homeward.Authorize(actor, homeward.ActConsentRecord, homeward.Resource{Type: "consent", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		qr, _ := tx.readers()
		org, err := db.personOrg(ctx, qr, personID, homeward.ActConsentRecord)
		if err != nil {
			return err
		}
		var c registry.Consent
		if err := json.Unmarshal([]byte(cj), &c); err != nil {
			return err
		}
		if err := c.Withdraw(actorID(tx.actor), tx.now); err != nil {
			return err
		}
		b, _ := json.Marshal(c)
		if _, err := tx.Exec(`UPDATE consents SET consent = ?, withdrawn_at = ? WHERE id = ?`, string(b), tx.now, consentID); err != nil {
			return err
		}
		if err := tx.eventForPerson(personID, org, registry.EventConsentWithdrawn, map[string]any{"purpose": string(c.Purpose)}); err != nil {
			return err
		}
		if c.Purpose == registry.PurposeReferral {
			if err := tx.closeReferralsForWithdrawnConsent(personID, org); err != nil {
				return err
			}
		}
		return tx.Audit("consent.withdraw", "consent", consentID, org, map[string]any{"person_id": personID, "purpose": c.Purpose})
	})
}

// HasConsent answers whether the person has valid consent now for purpose
// and recipient (registry.ConsentValid over every recorded consent).
func (db *DB) HasConsent(ctx context.Context, personID string, purpose registry.Purpose, to registry.Recipient) (bool, error) {
	qr, qs := db.readers(ctx)
	if _, err := db.personOrg(ctx, qr, personID, homeward.ActPersonRead); err != nil {
		return false, err
	}
	cs, err := personConsents(qs, personID)
	if err != nil {
		return false, err
	}
	_, ok := registry.ConsentValid(cs, purpose, to, db.Now())
	return ok, nil
}

// Timeline returns a case's events, oldest first.
func (db *DB) Timeline(ctx context.Context, caseID string) ([]registry.TimelineEvent, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM cases WHERE id = ?`, caseID).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
		return nil, err
	}
	// The case's own events and those of cases merged into it, each of
	// the latter marked with the case number it was recorded on.
	rows, err := db.query(ctx, `SELECT e.event, CASE WHEN e.case_id = ? THEN '' ELSE c.number END FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.case_id IN (SELECT id FROM cases WHERE id = ? OR merged_into = ?) ORDER BY e.at, e.id`, caseID, caseID, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []registry.TimelineEvent{}
	for rows.Next() {
		var ej, from string
		if err := rows.Scan(&ej, &from); err != nil {
			return nil, err
		}
		var ev registry.TimelineEvent
		if err := json.Unmarshal([]byte(ej), &ev); err != nil {
			return nil, err
		}
		ev.MergedFrom = from
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A step recorded on both cases at once (the merge itself, written on
	// every case of the kept person) is shown once, as the case's own.
	own := map[string]bool{}
	for _, ev := range out {
		if ev.MergedFrom == "" {
			own[string(ev.Kind)+"\x00"+ev.At.UTC().String()] = true
		}
	}
	kept := out[:0]
	for _, ev := range out {
		if ev.MergedFrom == "" || !own[string(ev.Kind)+"\x00"+ev.At.UTC().String()] {
			kept = append(kept, ev)
		}
	}
	return kept, nil
}
