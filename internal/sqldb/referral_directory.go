package sqldb

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"homeward"
	homecountry "homeward/internal/country"
	"homeward/internal/referral"
)

var _ referral.Service = (*DB)(nil)

// catalogueSeeded remembers the databases whose standard service types are
// in place, so that the check runs once per process.
var catalogueSeeded sync.Map // *DB → struct{}

// catalogue returns the service catalogue, storing the instance's
// country's catalogue on first use (see DB.Country). A type already stored
// is left as it is, so that an operator's change outlives restarts;
// concurrent processes may race harmlessly.
func (db *DB) catalogue(ctx context.Context) (*referral.Catalogue, error) {
	return db.loadCatalogue(ctx, true)
}

// loadCatalogue is catalogue; with store unset (a listing) it stores
// nothing before the instance's country is known (no --country, no
// operator organisation yet) and shows the default country's instead, so
// that a catalogue listed on a fresh instance does not outlive an operator
// organisation of another country. Writes store it (offers, plans and
// referrals name stored types), which only an instance without an operator
// organisation does before its country is known.
func (db *DB) loadCatalogue(ctx context.Context, store bool) (*referral.Catalogue, error) {
	if _, ok := catalogueSeeded.Load(db); !ok {
		stored := false
		err := db.Transact(homeward.NewContextWithActor(ctx, homeward.SystemActor), func(tx *Tx) error {
			code, k, err := db.instanceCountryKnown(tx.QueryRow)
			if err != nil || !k && !store {
				return err
			}
			stored = true
			for i, t := range referral.CountryServices(homecountry.Lookup(code)) {
				b, _ := json.Marshal(t)
				if _, err := tx.Exec(`INSERT INTO service_types (code, position, type, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
					t.Code, i, string(b), tx.now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if stored {
			catalogueSeeded.Store(db, struct{}{})
		}
	}
	rows, err := db.query(ctx, `SELECT type FROM service_types ORDER BY position, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []referral.ServiceType
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		var t referral.ServiceType
		if err := json.Unmarshal([]byte(s), &t); err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		ts = referral.CountryServices(homecountry.Lookup(homecountry.Default))
	}
	return referral.NewCatalogue(ts)
}

// ServiceTypes returns the catalogue, to anyone signed in.
func (db *DB) ServiceTypes(ctx context.Context) ([]referral.ServiceType, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActProviderRead, homeward.Resource{Type: "service_type"}); err != nil {
		return nil, err
	}
	c, err := db.loadCatalogue(ctx, false)
	if err != nil {
		return nil, err
	}
	return c.Types(), nil
}

// PutServiceType adds a service type or changes one (operator
// administrators). The whole catalogue is checked with the change.
func (db *DB) PutServiceType(ctx context.Context, t *referral.ServiceType) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActServiceTypeManage, homeward.Resource{Type: "service_type"}); err != nil {
		return err
	}
	cat, err := db.catalogue(ctx)
	if err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	types := cat.Types()
	pos := slices.IndexFunc(types, func(x referral.ServiceType) bool { return x.Code == t.Code })
	if pos >= 0 {
		t.Standard = types[pos].Standard
		types[pos] = *t
	} else {
		t.Standard = false
		pos = len(types)
		types = append(types, *t)
	}
	if _, err := referral.NewCatalogue(types); err != nil {
		return err
	}
	b, _ := json.Marshal(t)
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO service_types (code, position, type, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET type = excluded.type, updated_at = excluded.updated_at`, t.Code, pos, string(b), tx.now); err != nil {
			return err
		}
		return tx.Audit("service_type.put", "service_type", t.Code, actorOrg(actor), map[string]any{"kind": t.Kind, "shared": t.Shared, "active": t.Active})
	})
}

const offerColumns = `o.id, o.org_id, g.name, g.type, o.offer, o.active, o.version, o.created_at, o.updated_at`

func scanOffer(s scanner) (*referral.Offer, error) {
	var o referral.Offer
	var id, org, name, typ, js string
	var version int
	var active bool
	var created, updated = &o.CreatedAt, &o.UpdatedAt
	if err := s.Scan(&id, &org, &name, &typ, &js, &active, &version, dbTime{created}, dbTime{updated}); err != nil {
		return nil, err
	}
	c, u := o.CreatedAt, o.UpdatedAt
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		return nil, err
	}
	o.ID, o.OrgID, o.OrgName, o.OrgType, o.Active, o.Version, o.CreatedAt, o.UpdatedAt = id, org, name, typ, active, version, c, u
	return &o, nil
}

// placesUsed counts the referrals holding a place of o in the current
// period: every referral sent in it for a service the offer covers that was
// not declined, revoked, expired or closed by withdrawn consent.
func (db *DB) placesUsed(ctx context.Context, qr func(string, ...any) scanner, cat *referral.Catalogue, o *referral.Offer) (int, error) {
	if o.Capacity.Places <= 0 {
		return 0, nil
	}
	var codes []any
	for _, t := range cat.Types() {
		if cat.Covers(o.ServiceType, t.Code) {
			codes = append(codes, t.Code)
		}
	}
	args := append([]any{o.OrgID, o.Capacity.Start(db.Now())}, codes...)
	var n int
	err := qr(`SELECT COUNT(*) FROM referrals WHERE to_org_id = ? AND sent_at >= ? AND state NOT IN ('declined', 'revoked', 'expired', 'consent_withdrawn')
		AND service_type IN (`+placeholders(len(codes))+`)`, args...).Scan(&n)
	return n, err
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (db *DB) fillPlaces(ctx context.Context, qr func(string, ...any) scanner, cat *referral.Catalogue, o *referral.Offer) error {
	used, err := db.placesUsed(ctx, qr, cat, o)
	if err != nil {
		return err
	}
	o.PlacesUsed = used
	if left, ok := o.Capacity.Left(used); ok {
		o.PlacesLeft = &left
	}
	return nil
}

// FindOffers searches the provider directory, visible to everyone signed in.
func (db *DB) FindOffers(ctx context.Context, f referral.OfferFilter) ([]referral.Offer, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActProviderRead, homeward.Resource{Type: "offer"}); err != nil {
		return nil, err
	}
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + offerColumns + ` FROM provider_offers o JOIN organisations g ON g.id = o.org_id WHERE 1 = 1`
	var args []any
	if !f.Inactive {
		q += ` AND o.active = ?`
		args = append(args, true)
	}
	if f.OrgID != "" {
		q += ` AND o.org_id = ?`
		args = append(args, f.OrgID)
	}
	rows, err := db.query(ctx, q+` ORDER BY g.name, o.service_type`, args...)
	if err != nil {
		return nil, err
	}
	var out []referral.Offer
	query := strings.ToLower(strings.TrimSpace(f.Query))
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if f.ServiceType != "" && !cat.Covers(o.ServiceType, f.ServiceType) && !cat.Covers(f.ServiceType, o.ServiceType) {
			continue
		}
		if !o.Serves(f.Area) {
			continue
		}
		if query != "" && !strings.Contains(strings.ToLower(o.OrgName+" "+o.Description), query) {
			continue
		}
		out = append(out, *o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	qr, _ := db.readers(ctx)
	for i := range out {
		if f.NoPlaces {
			break
		}
		if err := db.fillPlaces(ctx, qr, cat, &out[i]); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []referral.Offer{}
	}
	return out, nil
}

// FindOffer returns one directory entry.
func (db *DB) FindOffer(ctx context.Context, id string) (*referral.Offer, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActProviderRead, homeward.Resource{Type: "offer"}); err != nil {
		return nil, err
	}
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	qr, _ := db.readers(ctx)
	o, err := scanOffer(qr(`SELECT `+offerColumns+` FROM provider_offers o JOIN organisations g ON g.id = o.org_id WHERE o.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	return o, db.fillPlaces(ctx, qr, cat, o)
}

func offerJSON(o *referral.Offer) string {
	c := *o
	c.ID, c.OrgName, c.OrgType, c.PlacesLeft, c.PlacesUsed, c.Version = "", "", "", nil, 0, 0
	b, _ := json.Marshal(c)
	return string(b)
}

// CreateOffer adds a directory entry for the actor's organisation (or, for
// operator administrators, any organisation named by OrgID).
func (db *DB) CreateOffer(ctx context.Context, o *referral.Offer) error {
	actor := homeward.ActorFromContext(ctx)
	if o.OrgID == "" {
		o.OrgID = actorOrg(actor)
	}
	if err := homeward.Authorize(actor, homeward.ActProviderManage, homeward.Resource{Type: "offer", OrgID: o.OrgID}); err != nil {
		return err
	}
	cat, err := db.catalogue(ctx)
	if err != nil {
		return err
	}
	o.Normalize()
	if err := o.Validate(cat); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(`SELECT name, type FROM organisations WHERE id = ?`, o.OrgID).Scan(&o.OrgName, &o.OrgType); err != nil {
			if err == errNoRows {
				return homeward.FieldErrorf("org_id", "referral.org_unknown", "There is no such organisation.")
			}
			return err
		}
		o.ID, o.Version, o.CreatedAt, o.UpdatedAt = homeward.NewID(), 1, tx.now, tx.now
		_, err := tx.Exec(`INSERT INTO provider_offers (id, org_id, service_type, active, offer, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
			o.ID, o.OrgID, o.ServiceType, o.Active, offerJSON(o), tx.now, tx.now)
		if isUniqueViolation(err) {
			return homeward.FieldErrorf("service_type", "referral.offer.duplicate", "The organisation already has a directory entry for this service; change that one.")
		} else if err != nil {
			return err
		}
		return tx.Audit("offer.create", "offer", o.ID, o.OrgID, map[string]any{"service_type": o.ServiceType})
	})
}

// UpdateOffer replaces a directory entry if version is current; its
// organisation and service type stay.
func (db *DB) UpdateOffer(ctx context.Context, id string, version int, o *referral.Offer) error {
	actor := homeward.ActorFromContext(ctx)
	cat, err := db.catalogue(ctx)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		old, err := scanOffer(tx.QueryRow(`SELECT `+offerColumns+` FROM provider_offers o JOIN organisations g ON g.id = o.org_id WHERE o.id = ?`+db.dialect.forUpdate(), id))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActProviderManage, homeward.Resource{Type: "offer", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActProviderManage, homeward.Resource{Type: "offer", ID: id, OrgID: old.OrgID}); err != nil {
			if homeward.ErrorCode(err) == homeward.ENOTFOUND {
				return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.") // the directory is public
			}
			return err
		}
		if old.Version != version {
			return staleVersion()
		}
		o.ID, o.OrgID, o.OrgName, o.OrgType, o.ServiceType, o.CreatedAt = id, old.OrgID, old.OrgName, old.OrgType, old.ServiceType, old.CreatedAt
		o.Normalize()
		if err := o.Validate(cat); err != nil {
			return err
		}
		o.Version, o.UpdatedAt = version+1, tx.now
		r, err := tx.Exec(`UPDATE provider_offers SET active = ?, offer = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			o.Active, offerJSON(o), tx.now, id, version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return staleVersion()
		}
		return tx.Audit("offer.update", "offer", id, o.OrgID, map[string]any{"active": o.Active})
	})
}

// ExportHSDS returns the active directory in the Open Referral HSDS format,
// services named in English from the catalogue, else by fallback.
func (db *DB) ExportHSDS(ctx context.Context, fallback func(code string) string) (*referral.HSDS, error) {
	offers, err := db.FindOffers(ctx, referral.OfferFilter{})
	if err != nil {
		return nil, err
	}
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	h := referral.ExportHSDS(offers, func(code string) string {
		if t, ok := cat.Type(code); ok && t.Names["en"] != "" {
			return t.Names["en"]
		}
		return fallback(code)
	})
	return &h, nil
}
