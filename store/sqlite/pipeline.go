package sqlite

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/store"
)

// Version queries, named for the query-plan test.
const (
	versionsAll       = `SELECT data FROM versions ORDER BY seq`
	versionsOfService = `SELECT data FROM versions WHERE service = ? ORDER BY seq`
	versionOfDigest   = `SELECT data FROM versions WHERE service = ? AND digest = ? ORDER BY seq DESC LIMIT 1`
)

// PutVersion implements store.Tx.
func (t *tx) PutVersion(v store.Version) error {
	if err := v.Check(); err != nil {
		return err
	}
	if err := t.write(); err != nil {
		return wrap(err, "put version %s of %s", v.Version, v.Service)
	}
	var stored string
	err := t.queryRow(`SELECT digest FROM versions WHERE service = ? AND version = ?`,
		v.Service, v.Version).Scan(&stored)
	if err == nil {
		return v.Repush(stored)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return wrap(err, "put version %s of %s", v.Version, v.Service)
	}
	data, err := versionCodec.encode(v)
	if err == nil {
		// seq, the rowid, is left to SQLite: one more than the highest.
		_, err = t.exec(`INSERT INTO versions (service, version, digest, data) VALUES (?, ?, ?, ?)`,
			v.Service, v.Version, v.Digest, data)
	}
	return wrap(err, "put version %s of %s", v.Version, v.Service)
}

// GetVersion implements store.Tx.
func (t *tx) GetVersion(service, version string) (store.Version, error) {
	v, err := versionCodec.decode(t.doc(
		`SELECT data FROM versions WHERE service = ? AND version = ?`, service, version))
	if errors.Is(err, store.ErrNotFound) {
		return v, store.NotFoundf("version %s of %s not found", version, service)
	}
	return v, wrap(err, "get version %s of %s", version, service)
}

// ListVersions implements store.Tx.
func (t *tx) ListVersions(service string) ([]store.Version, error) {
	if service == "" {
		vs, err := versionCodec.decodeAll(t.docs(versionsAll))
		return vs, wrap(err, "list versions")
	}
	vs, err := versionCodec.decodeAll(t.docs(versionsOfService, service))
	return vs, wrap(err, "list versions of %s", service)
}

// VersionByDigest implements store.Tx.
func (t *tx) VersionByDigest(service, digest string) (store.Version, error) {
	v, err := versionCodec.decode(t.doc(versionOfDigest, service, digest))
	if errors.Is(err, store.ErrNotFound) {
		return v, store.NotFoundf("no version of %s has digest %s", service, digest)
	}
	return v, wrap(err, "version of %s by digest %s", service, digest)
}

// CreatePromotion implements store.Tx.
func (t *tx) CreatePromotion(p store.Promotion) (store.Promotion, error) {
	if p.Service == "" {
		return store.Promotion{}, store.Invalidf("create promotion: empty service")
	}
	id, err := t.next(`SELECT MAX(id) FROM promotions`)
	if err != nil {
		return store.Promotion{}, wrap(err, "create promotion of %s", p.Service)
	}
	p.ID, p.StoreVersion = id, 1
	data, err := promotionCodec.encode(p)
	if err == nil {
		_, err = t.exec(`INSERT INTO promotions (id, service, active, data) VALUES (?, ?, ?, ?)`,
			p.ID, p.Service, !p.State.Terminal(), data)
	}
	if err != nil {
		return store.Promotion{}, wrap(err, "create promotion of %s", p.Service)
	}
	return p, nil
}

// PutPromotion implements store.Tx.
func (t *tx) PutPromotion(p store.Promotion) error {
	if p.Service == "" {
		return store.Invalidf("put promotion %d: empty service", p.ID)
	}
	data, err := promotionCodec.encode(p)
	if err == nil {
		err = t.checked(vwrite{kind: "promotion", key: strconv.FormatInt(p.ID, 10), given: p.StoreVersion,
			update:     `UPDATE promotions SET service = ?, active = ?, data = ?, version = version + 1 WHERE id = ? AND version = ?`,
			current:    `SELECT version FROM promotions WHERE id = ?`,
			updateArgs: []any{p.Service, !p.State.Terminal(), data, p.ID}, keyArgs: []any{p.ID}})
	}
	return wrap(err, "put promotion %d", p.ID)
}

// GetPromotion implements store.Tx.
func (t *tx) GetPromotion(id int64) (store.Promotion, error) {
	p, err := promotionCodec.decodeV(t.vdoc(`SELECT version, data FROM promotions WHERE id = ?`, id))
	if errors.Is(err, store.ErrNotFound) {
		return p, store.NotFoundf("promotion %d not found", id)
	}
	return p, wrap(err, "get promotion %d", id)
}

// ListPromotions implements store.Tx.
func (t *tx) ListPromotions(service string, activeOnly bool, limit int) ([]store.Promotion, error) {
	var args []any
	if service != "" {
		args = append(args, service)
	}
	args = append(args, limitArg(limit))
	ps, err := promotionCodec.decodeAllV(t.vdocs(promotionsQuery(service != "", activeOnly), args...))
	return ps, wrap(err, "list promotions")
}

// promotionsQuery is ListPromotions' query (named for the query-plan
// test), newest first: of the service its first parameter names when
// byService, of the ones not yet terminal when activeOnly.
func promotionsQuery(byService, activeOnly bool) string {
	var where []string
	if byService {
		where = append(where, "service = ?")
	}
	if activeOnly {
		where = append(where, "active = 1")
	}
	q := `SELECT version, data FROM promotions`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return q + ` ORDER BY id DESC LIMIT ?`
}
