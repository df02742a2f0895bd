package sqldb

import (
	"context"
	"encoding/json"
	"strings"

	"homeward"
	"homeward/internal/reference"
)

const orgColumns = `id, name, short_name, type, country, areas, time_zone, operator, version, created_at, updated_at`

func scanOrg(s interface{ Scan(...any) error }) (*homeward.Organisation, error) {
	o := &homeward.Organisation{}
	var areas string
	if err := s.Scan(&o.ID, &o.Name, &o.ShortName, &o.Type, &o.Country, &areas, &o.TimeZone, &o.Operator, &o.Version, dbTime{&o.CreatedAt}, dbTime{&o.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(areas), &o.Areas); err != nil {
		return nil, err
	}
	return o, nil
}

func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// FindOrganisationByID returns one organisation. The directory of
// organisations is visible to every signed-in user.
func (db *DB) FindOrganisationByID(ctx context.Context, id string) (*homeward.Organisation, error) {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActOrgRead, homeward.Resource{Type: "organisation", ID: id, OrgID: id}); err != nil {
		return nil, err
	}
	o, err := scanOrg(db.queryRow(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id))
	return o, notFound(err)
}

// FindOrganisations lists organisations ordered by ID; the second result is
// the cursor of the next page, or "".
func (db *DB) FindOrganisations(ctx context.Context, f homeward.OrganisationFilter) ([]*homeward.Organisation, string, error) {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActOrgRead, homeward.Resource{Type: "organisation"}); err != nil {
		return nil, "", err
	}
	if err := checkIDCursor(f.After); err != nil {
		return nil, "", err
	}
	q := `SELECT ` + orgColumns + ` FROM organisations WHERE id > ?`
	args := []any{f.After}
	if f.ID != nil {
		q += ` AND id = ?`
		args = append(args, *f.ID)
	}
	if f.Type != nil {
		q += ` AND type = ?`
		args = append(args, string(*f.Type))
	}
	if f.Query != nil && *f.Query != "" {
		q += ` AND name_key LIKE ?`
		args = append(args, "%"+escapeLike(nameKey(*f.Query))+"%")
		q += ` ESCAPE '\'`
	}
	limit := pageLimit(f.Limit)
	// Area filtering runs in Go over the page: the list of p-codes is small
	// and hierarchical, which SQL would express only with a join table.
	q += ` ORDER BY id`
	if f.Area == nil {
		q += ` LIMIT ?`
		args = append(args, limit+1)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*homeward.Organisation
	next := ""
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, "", err
		}
		if f.Area != nil && !worksIn(o, *f.Area) {
			continue
		}
		if len(out) == limit {
			next = out[limit-1].ID
			break
		}
		out = append(out, o)
	}
	return out, next, rows.Err()
}

// worksIn reports whether o works in area: one of its areas is the area, an
// ancestor of it, or lies within it.
func worksIn(o *homeward.Organisation, area string) bool {
	area = strings.ToUpper(area)
	for _, a := range o.Areas {
		if reference.AreaIn(area, a) || reference.AreaIn(a, area) {
			return true
		}
	}
	return false
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CreateOrganisation validates and stores o, filling its ID and times.
func (db *DB) CreateOrganisation(ctx context.Context, o *homeward.Organisation) error {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActOrgCreate, homeward.Resource{Type: "organisation"}); err != nil {
		return err
	}
	o.Normalize()
	if err := o.Validate(reference.Checker{}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error { return tx.insertOrganisation(o) })
}

func (tx *Tx) insertOrganisation(o *homeward.Organisation) error {
	o.ID = homeward.NewID()
	o.CreatedAt, o.UpdatedAt, o.Version = tx.now, tx.now, 1
	if o.Areas == nil {
		o.Areas = []string{}
	}
	areas, _ := json.Marshal(o.Areas)
	_, err := tx.Exec(`INSERT INTO organisations (id, name, name_key, short_name, type, country, areas, time_zone, operator, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Name, nameKey(o.Name), o.ShortName, string(o.Type), o.Country, string(areas), o.TimeZone, o.Operator, o.Version, o.CreatedAt, o.UpdatedAt)
	if isUniqueViolation(err) {
		return homeward.FieldErrorf("name", "error.org.name_taken", "An organisation with this name already exists.")
	} else if err != nil {
		return err
	}
	return tx.Audit("organisation.create", "organisation", o.ID, o.ID, map[string]any{"name": o.Name, "type": o.Type})
}

// UpdateOrganisation applies upd if version is still current.
func (db *DB) UpdateOrganisation(ctx context.Context, id string, version int, upd homeward.OrganisationUpdate) (*homeward.Organisation, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActOrgUpdate, homeward.Resource{Type: "organisation", ID: id, OrgID: id}); err != nil {
		return nil, err
	}
	var o *homeward.Organisation
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		o, err = scanOrg(tx.QueryRow(`SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id))
		if err != nil {
			return notFound(err)
		}
		if o.Version != version {
			return staleVersion()
		}
		var changed []string
		if upd.Name != nil {
			o.Name, changed = *upd.Name, append(changed, "name")
		}
		if upd.ShortName != nil {
			o.ShortName, changed = *upd.ShortName, append(changed, "short_name")
		}
		if upd.Type != nil && *upd.Type != o.Type {
			// Only the operator changes what kind of organisation this is:
			// an NGO that calls itself a ministry would be trusted as one.
			if err := homeward.Authorize(actor, homeward.ActOrgSetType, homeward.Resource{Type: "organisation", ID: id, OrgID: id}); err != nil {
				return err
			}
			o.Type, changed = *upd.Type, append(changed, "type")
		}
		if upd.Country != nil {
			o.Country, changed = *upd.Country, append(changed, "country")
		}
		if upd.Areas != nil {
			o.Areas, changed = append([]string{}, *upd.Areas...), append(changed, "areas")
		}
		if upd.TimeZone != nil && *upd.TimeZone != o.TimeZone {
			o.TimeZone, changed = *upd.TimeZone, append(changed, "time_zone")
		}
		o.Normalize()
		if err := o.Validate(reference.Checker{}); err != nil {
			return err
		}
		areas, _ := json.Marshal(o.Areas)
		tx.authChanged()
		res, err := tx.Exec(`UPDATE organisations SET name = ?, name_key = ?, short_name = ?, type = ?, country = ?, areas = ?, time_zone = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, o.Name, nameKey(o.Name), o.ShortName, string(o.Type), o.Country, string(areas), o.TimeZone, tx.now, id, version)
		if isUniqueViolation(err) {
			return homeward.FieldErrorf("name", "error.org.name_taken", "An organisation with this name already exists.")
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleVersion()
		}
		o.Version++
		o.UpdatedAt = tx.now
		return tx.Audit("organisation.update", "organisation", o.ID, o.ID, map[string]any{"changed": changed})
	})
	if err != nil {
		return nil, err
	}
	db.countries.Delete(o.ID) // this process sees a new country at once
	return o, nil
}

func staleVersion() error {
	return homeward.Errorf(homeward.EPRECONDITION, "error.precondition", "Someone else changed this record since you loaded it. Reload and try again.")
}
