package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
	"sync/atomic"
	"time"

	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/seal"
)

// People's records hold identifiers (national ID, passport and other
// document numbers, phone numbers) that could hurt them if a copy of the
// database leaked. A person's record (the JSON in people.person) and a
// duplicate merge's record (dedupe_merges.merge, which keeps both people as
// they were) are therefore stored sealed with AES-256-GCM under a data key
// (envelope encryption): data keys are random, kept in data_keys wrapped by
// the instance master key (db.NotesKeys, the key file that also seals
// counselling notes), and the sealed text names its data key's id, as the
// row's seal_key column does. Search finds phones and document numbers by
// keyed blind indexes in person_keys (see blindKeys) instead of clear values.

// errNoIdentKeys refuses to store a record in clear.
var errNoIdentKeys = errors.New("people's records cannot be stored: no at-rest key is configured to seal their identifiers (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key)")

// Data key purposes (data_keys.purpose).
const (
	purposeSeal  = "seal"
	purposeIndex = "index"
)

// Blind index kinds of person_keys: HMAC-SHA256 of a normalised phone
// (E.164) or document number, never the number.
const (
	kindBlindPhone = "bphone"
	kindBlindDoc   = "bdoc"
)

// identKeyRefresh is how long a process uses the data keys it loaded before
// it looks again: a rotation made by another process is followed within it.
const identKeyRefresh = 2 * time.Second

// IdentKeyRefresh is identKeyRefresh, for the rotation command: after it,
// every process seals under the new key.
const IdentKeyRefresh = identKeyRefresh

// identKeys are the unwrapped data keys.
type identKeys struct {
	master  *seal.Keyring // the master keyring they were unwrapped with
	ring    *seal.Keyring // seals with the current data key, opens with any
	index   []byte        // blind index key
	loaded  time.Time
	current string
}

// identState caches each DB's data keys.
type identState struct {
	mu   sync.Mutex // serialises loading
	keys atomic.Pointer[identKeys]
}

var identStates sync.Map // *DB → *identState

func (db *DB) identState() *identState {
	s, _ := identStates.LoadOrStore(db, &identState{})
	return s.(*identState)
}

// keyAD binds a wrapped data key to its id and purpose.
func keyAD(purpose, id string) []byte { return []byte("homeward data key\x00" + purpose + "\x00" + id) }

// personAD and mergeAD bind a sealed record to its row.
func personAD(id string) []byte { return []byte("homeward person\x00" + id) }
func mergeAD(id string) []byte  { return []byte("homeward merge\x00" + id) }

// referralAD binds a sealed referral (which holds the fields shared with the
// receiver, phones and ID numbers among them) to its row.
func referralAD(id string) []byte { return []byte("homeward referral\x00" + id) }

// identKeys returns the data keys, loading them (and making the first ones)
// when not loaded yet or loaded more than identKeyRefresh ago. It must not
// be called inside a transaction (see Tx.identKeys). Without a master key
// it returns errNoIdentKeys.
func (db *DB) identKeys(ctx context.Context) (*identKeys, error) {
	if db.NotesKeys.Primary() == "" {
		return nil, errNoIdentKeys
	}
	st := db.identState()
	if k := st.keys.Load(); k != nil && k.master == db.NotesKeys && db.Now().Sub(k.loaded) < identKeyRefresh {
		return k, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if k := st.keys.Load(); k != nil && k.master == db.NotesKeys && db.Now().Sub(k.loaded) < identKeyRefresh {
		return k, nil
	}
	k, err := db.loadIdentKeys(ctx, dbQuerier{db}, true)
	if err != nil {
		return nil, err
	}
	st.keys.Store(k)
	return k, nil
}

// reloadIdentKeys loads the data keys again at once (a text named a key
// this process has not seen: another one rotated).
func (db *DB) reloadIdentKeys(ctx context.Context) (*identKeys, error) {
	st := db.identState()
	if k := st.keys.Load(); k != nil {
		old := *k
		old.loaded = time.Time{}
		st.keys.CompareAndSwap(k, &old)
	}
	return db.identKeys(ctx)
}

// ensureIdentKeys loads the data keys before a transaction starts, so that
// code inside it (Tx.identKeys) finds them without writing them itself.
func (db *DB) ensureIdentKeys(ctx context.Context) {
	if db.NotesKeys.Primary() == "" {
		return
	}
	if k := db.identState().keys.Load(); k != nil && k.master == db.NotesKeys {
		return
	}
	_, _ = db.identKeys(ctx) // a failure is reported where the keys are used
}

// LoadIdentifierKeys loads the data keys that seal people's identifiers,
// making them on first use, and fails if the master key cannot unwrap them
// (a master key that is not this database's). The server calls it at
// start.
func (db *DB) LoadIdentifierKeys(ctx context.Context) error {
	_, err := db.reloadIdentKeys(ctx)
	return err
}

// identKeys returns the data keys inside a transaction: the loaded ones, or
// (stale or missing) those the transaction reads. It never makes keys:
// DB.Transact loads them first.
func (tx *Tx) identKeys() (*identKeys, error) {
	db := tx.db
	if db.NotesKeys.Primary() == "" {
		return nil, errNoIdentKeys
	}
	st := db.identState()
	if k := st.keys.Load(); k != nil && k.master == db.NotesKeys && db.Now().Sub(k.loaded) < identKeyRefresh {
		return k, nil
	}
	k, err := db.loadIdentKeys(tx.ctx, txQuerier{tx}, false)
	if err != nil {
		return nil, err
	}
	st.keys.Store(k)
	return k, nil
}

// querier is what loadIdentKeys reads with: the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

type txQuerier struct{ tx *Tx }

type dbQuerier struct{ db *DB }

func (q dbQuerier) QueryContext(ctx context.Context, s string, args ...any) (*sql.Rows, error) {
	return q.db.query(ctx, s, args...)
}

func (q txQuerier) QueryContext(_ context.Context, s string, args ...any) (*sql.Rows, error) {
	return q.tx.Query(s, args...)
}

// loadIdentKeys reads and unwraps every data key; with create set, it makes
// the current seal key and the index key first when there are none.
func (db *DB) loadIdentKeys(ctx context.Context, q querier, create bool) (*identKeys, error) {
	read := func(s string, a ...any) (*sql.Rows, error) { return q.QueryContext(ctx, s, a...) }
	for attempt := 0; ; attempt++ {
		k, missing, err := db.readIdentKeys(read)
		if err != nil || len(missing) == 0 {
			return k, err
		}
		if !create || attempt > 0 {
			return nil, fmt.Errorf("no %s data key for identifiers", missing[0])
		}
		for _, purpose := range missing {
			if err := db.makeDataKey(ctx, purpose, false); err != nil {
				return nil, err
			}
		}
	}
}

func (db *DB) readIdentKeys(read func(string, ...any) (*sql.Rows, error)) (*identKeys, []string, error) {
	rows, err := read(`SELECT id, purpose, wrapped, current FROM data_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	k := &identKeys{master: db.NotesKeys, loaded: db.Now()}
	var current *seal.Key
	var older []*seal.Key
	for rows.Next() {
		var id, purpose, wrapped string
		var cur int
		if err := rows.Scan(&id, &purpose, &wrapped, &cur); err != nil {
			return nil, nil, err
		}
		secret, err := db.unwrapKey(purpose, id, wrapped)
		if err != nil {
			return nil, nil, err
		}
		switch purpose {
		case purposeIndex:
			if cur == 1 {
				k.index = secret
			}
		case purposeSeal:
			sk, err := seal.NewKey(secret)
			if err != nil {
				return nil, nil, err
			}
			if cur == 1 {
				current = sk
			} else {
				older = append(older, sk)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var missing []string
	if current == nil {
		missing = append(missing, purposeSeal)
	} else {
		k.ring, k.current = seal.NewKeyring(current, older...), current.ID()
	}
	if k.index == nil {
		missing = append(missing, purposeIndex)
	}
	return k, missing, nil
}

// unwrapKey opens a wrapped data key with the master keyring.
func (db *DB) unwrapKey(purpose, id, wrapped string) ([]byte, error) {
	text, err := db.NotesKeys.Open(wrapped, keyAD(purpose, id))
	if err != nil {
		return nil, fmt.Errorf("the data keys of people's identifiers are wrapped under master key %s, and it does not open them (%v): restore the notes key file that belongs to this database", seal.KeyID(wrapped), err)
	}
	secret, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(secret) != seal.KeySize {
		return nil, fmt.Errorf("data key %s is malformed", id)
	}
	return secret, nil
}

// makeDataKey stores a new random data key of purpose, wrapped by the
// master key; with replace set it becomes the current one in place of the
// old (which stays, to open what it sealed). Without replace it is made only
// if there is no current key of that purpose (another process may have made
// one first: then nothing happens).
func (db *DB) makeDataKey(ctx context.Context, purpose string, replace bool) error {
	secret := make([]byte, seal.KeySize)
	_, _ = rand.Read(secret)
	sk, err := seal.NewKey(secret)
	if err != nil {
		return err
	}
	id := sk.ID()
	wrapped, err := db.NotesKeys.Seal(base64.StdEncoding.EncodeToString(secret), keyAD(purpose, id))
	if err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if replace {
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`UPDATE data_keys SET current = 0 WHERE purpose = ? AND current = 1`), purpose); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO data_keys (id, purpose, wrapped, current, created_at) VALUES (?, ?, ?, 1, ?)`),
		db.args([]any{id, purpose, wrapped, db.Now().UTC()})...)
	if !replace && isUniqueViolation(err) {
		return nil
	} else if err != nil {
		return err
	}
	return tx.Commit()
}

// blind returns the blind index of a normalised value of kind: the first
// 16 bytes of HMAC-SHA256 under the index key, in hex.
func (k *identKeys) blind(kind, value string) string {
	return blindWith(hmac.New(sha256.New, k.index), kind, value)
}

// blindWith is blind with an HMAC made for the index key (reset here), so
// that a person's several keys share its set-up.
func blindWith(m hash.Hash, kind, value string) string {
	m.Reset()
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:16])
}

// blindKeys replaces the phone and document keys of personKeys by their
// blind indexes.
func (k *identKeys) blindKeys(keys [][2]string) [][2]string {
	out := make([][2]string, len(keys))
	var m hash.Hash
	for i, kv := range keys {
		kind := ""
		switch kv[0] {
		case "phone":
			kind = kindBlindPhone
		case "doc":
			kind = kindBlindDoc
		}
		if kind != "" {
			if m == nil {
				m = hmac.New(sha256.New, k.index)
			}
			kv = [2]string{kind, blindWith(m, kind, kv[1])}
		}
		out[i] = kv
	}
	return out
}

// sealPerson returns the person as stored: JSON sealed under the current
// data key, and that key's id.
func (k *identKeys) sealPerson(p *registry.Person) (string, string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", "", err
	}
	s, err := k.ring.Seal(string(b), personAD(p.ID))
	return s, k.current, err
}

// openPerson decodes a stored person (row id): sealed, or JSON stored in
// clear by an earlier version and not converted yet.
func (db *DB) openPerson(ctx context.Context, k *identKeys, stored, id string, p *registry.Person) error {
	text, err := db.openStored(ctx, k, stored, personAD(id))
	if err != nil {
		return fmt.Errorf("person %s: %w", id, err)
	}
	return json.Unmarshal([]byte(text), p)
}

// openStored opens a sealed text with k (loading the keys again when it
// names a key k lacks); a text that is not sealed is returned as it is.
func (db *DB) openStored(ctx context.Context, k *identKeys, stored string, ad []byte) (string, error) {
	if !seal.IsSealed(stored) {
		return stored, nil
	}
	if k == nil || !k.ring.Has(seal.KeyID(stored)) {
		var err error
		if k, err = db.reloadIdentKeys(ctx); err != nil {
			return "", err
		}
	}
	return k.ring.Open(stored, ad)
}

// readKeys returns the keys for opening stored records outside a
// transaction; nil (records stored in clear still open) when no master key
// is configured.
func (db *DB) readKeys(ctx context.Context) (*identKeys, error) {
	k, err := db.identKeys(ctx)
	if errors.Is(err, errNoIdentKeys) {
		return nil, nil
	}
	return k, err
}

// txReadKeys is readKeys inside a transaction.
func (tx *Tx) readKeys() (*identKeys, error) {
	k, err := tx.identKeys()
	if errors.Is(err, errNoIdentKeys) {
		return nil, nil
	}
	return k, err
}

// openPerson decodes a stored person inside the transaction.
func (tx *Tx) openPerson(stored, id string, p *registry.Person) error {
	k, err := tx.readKeys()
	if err != nil {
		return err
	}
	if seal.IsSealed(stored) && (k == nil || !k.ring.Has(seal.KeyID(stored))) {
		return fmt.Errorf("person %s: sealed under data key %s, which is not loaded", id, seal.KeyID(stored))
	}
	return tx.db.openPerson(tx.ctx, k, stored, id, p)
}

// sealMerge seals a merge's JSON for dedupe_merges row id.
func (tx *Tx) sealMerge(js []byte, id string) (string, string, error) {
	k, err := tx.identKeys()
	if err != nil {
		return "", "", err
	}
	s, err := k.ring.Seal(string(js), mergeAD(id))
	return s, k.current, err
}

// opener opens a stored text bound to ad (see openStored).
type opener func(stored string, ad []byte) (string, error)

// opener returns an opener that reads outside a transaction.
func (db *DB) opener(ctx context.Context) opener {
	return func(stored string, ad []byte) (string, error) {
		var k *identKeys
		if seal.IsSealed(stored) {
			var err error
			if k, err = db.readKeys(ctx); err != nil {
				return "", err
			}
		}
		return db.openStored(ctx, k, stored, ad)
	}
}

// opener returns an opener inside the transaction.
func (tx *Tx) opener() opener {
	return func(stored string, ad []byte) (string, error) {
		if !seal.IsSealed(stored) {
			return stored, nil
		}
		k, err := tx.readKeys()
		if err != nil {
			return "", err
		}
		return tx.db.openStored(tx.ctx, k, stored, ad)
	}
}

// sealReferral returns the referral as stored, sealed under the current data
// key, and that key's id.
func (tx *Tx) sealReferral(r *referral.Referral) (string, string, error) {
	k, err := tx.identKeys()
	if err != nil {
		return "", "", err
	}
	s, err := k.ring.Seal(referralJSON(r), referralAD(r.ID))
	return s, k.current, err
}

// openMerge returns a stored merge's JSON.
func (db *DB) openMerge(ctx context.Context, stored, id string) ([]byte, error) {
	var k *identKeys
	if seal.IsSealed(stored) {
		var err error
		if k, err = db.readKeys(ctx); err != nil {
			return nil, err
		}
	}
	text, err := db.openStored(ctx, k, stored, mergeAD(id))
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", id, err)
	}
	return []byte(text), nil
}
