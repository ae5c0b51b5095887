package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// tokenDoc is the stored form of store.Token: an API token's name, role
// and the SHA-256 of its value, never the value. Its version is both in
// the document and in the row's version column, which writes check.
type tokenDoc struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Hash      string    `json:"hash"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy,omitempty"`
}

func toTokenDoc(t store.Token) tokenDoc {
	return tokenDoc{Name: t.Name, Role: t.Role, Hash: t.Hash, Version: t.Version, CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy}
}

func fromTokenDoc(d tokenDoc) store.Token {
	return store.Token{Name: d.Name, Role: d.Role, Hash: d.Hash, Version: d.Version, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy}
}
