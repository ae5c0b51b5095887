package store

import (
	"fmt"
)

// versionKey is a version's identity: its service and version label.
type versionKey struct{ service, version string }

// versionDoc is a stored version with the fields lookups compare kept
// apart, so that they decode only what they return.
type versionDoc struct {
	key    versionKey
	digest string
	doc    []byte
}

// promotionDoc is a stored promotion with what ListPromotions filters on.
type promotionDoc struct {
	service string
	active  bool // !State.Terminal()
	doc     []byte
}

// PutVersion implements Tx.
func (tx *memTx) PutVersion(v Version) error {
	if err := v.Check(); err != nil {
		return err
	}
	if err := tx.write(tableVersions); err != nil {
		return fmt.Errorf("put version %s of %s: %w", v.Version, v.Service, err)
	}
	key := versionKey{v.Service, v.Version}
	if i, ok := tx.t.versionAt[key]; ok {
		return v.Repush(tx.t.versions[i].digest)
	}
	b, err := encode("version", v)
	if err != nil {
		return err
	}
	tx.t.versionAt[key] = len(tx.t.versions)
	tx.t.versions = append(tx.t.versions, versionDoc{key: key, digest: v.Digest, doc: b})
	return nil
}

// GetVersion implements Tx.
func (tx *memTx) GetVersion(service, version string) (Version, error) {
	if err := tx.read(); err != nil {
		return Version{}, err
	}
	i, ok := tx.t.versionAt[versionKey{service, version}]
	if !ok {
		return Version{}, NotFoundf("version %s of %s not found", version, service)
	}
	return decode[Version]("version", tx.t.versions[i].doc)
}

// ListVersions implements Tx.
func (tx *memTx) ListVersions(service string) ([]Version, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, d := range tx.t.versions {
		if service == "" || d.key.service == service {
			docs = append(docs, d.doc)
		}
	}
	return decodeAll("version", docs, decode[Version])
}

// VersionByDigest implements Tx.
func (tx *memTx) VersionByDigest(service, digest string) (Version, error) {
	if err := tx.read(); err != nil {
		return Version{}, err
	}
	for i := len(tx.t.versions) - 1; i >= 0; i-- {
		if d := tx.t.versions[i]; d.key.service == service && d.digest == digest {
			return decode[Version]("version", d.doc)
		}
	}
	return Version{}, NotFoundf("no version of %s has digest %s", service, digest)
}

// CreatePromotion implements Tx.
func (tx *memTx) CreatePromotion(p Promotion) (Promotion, error) {
	if p.Service == "" {
		return Promotion{}, Invalidf("create promotion: empty service")
	}
	if err := tx.write(tablePromotions); err != nil {
		return Promotion{}, fmt.Errorf("create promotion of %s: %w", p.Service, err)
	}
	p.ID = int64(len(tx.t.promotions) + 1)
	p.StoreVersion = 0
	d, err := promotionDocOf(p, nil)
	if err != nil {
		return Promotion{}, err
	}
	tx.t.promotions = append(tx.t.promotions, d)
	return decodeV[Promotion]("promotion", d.doc)
}

// PutPromotion implements Tx.
func (tx *memTx) PutPromotion(p Promotion) error {
	if p.Service == "" {
		return Invalidf("put promotion %d: empty service", p.ID)
	}
	if err := tx.write(tablePromotions); err != nil {
		return fmt.Errorf("put promotion %d: %w", p.ID, err)
	}
	if p.ID < 1 || p.ID > int64(len(tx.t.promotions)) {
		return NotFoundf("promotion %d not found", p.ID)
	}
	d, err := promotionDocOf(p, tx.t.promotions[p.ID-1].doc)
	if err != nil {
		return fmt.Errorf("put promotion %d: %w", p.ID, err)
	}
	tx.t.promotions[p.ID-1] = d
	return nil
}

// promotionDocOf is p stored over stored (nil: a new promotion).
func promotionDocOf(p Promotion, stored []byte) (promotionDoc, error) {
	b, err := putV("promotion", fmt.Sprint(p.ID), p.StoreVersion, stored, p)
	return promotionDoc{service: p.Service, active: !p.State.Terminal(), doc: b}, err
}

// GetPromotion implements Tx.
func (tx *memTx) GetPromotion(id int64) (Promotion, error) {
	if err := tx.read(); err != nil {
		return Promotion{}, err
	}
	if id < 1 || id > int64(len(tx.t.promotions)) {
		return Promotion{}, NotFoundf("promotion %d not found", id)
	}
	return decodeV[Promotion]("promotion", tx.t.promotions[id-1].doc)
}

// ListPromotions implements Tx.
func (tx *memTx) ListPromotions(service string, activeOnly bool, limit int) ([]Promotion, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for i := len(tx.t.promotions) - 1; i >= 0 && !full(len(docs), limit); i-- {
		d := tx.t.promotions[i]
		if (service == "" || d.service == service) && (!activeOnly || d.active) {
			docs = append(docs, d.doc)
		}
	}
	return decodeAll("promotion", docs, decodeV[Promotion])
}
