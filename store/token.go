package store

import (
	"time"
)

// Token is an API token as the default environment's store keeps it:
// its name, its role and the SHA-256 of its value. The value itself is
// shown once, when the token is made, and stored nowhere. Revoking a
// token deletes its record.
type Token struct {
	Name string `json:"name"`
	// Role is viewer, deployer, admin or evaluator.
	Role string `json:"role"`
	// Hash is the hex SHA-256 of the token's value.
	Hash string `json:"hash"`
	// Version counts the record's writes; PutToken checks it (see
	// CheckVersion).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	// CreatedBy is who made it (token:NAME, uid:N (user)).
	CreatedBy string `json:"createdBy,omitempty"`
}

// Check reports a record no store may hold.
func (t Token) Check() error {
	switch {
	case t.Name == "":
		return Invalidf("put token: empty name")
	case len(t.Hash) != 64:
		return Invalidf("put token %s: hash: want 64 hex digits (SHA-256)", t.Name)
	case t.Role == "":
		return Invalidf("put token %s: empty role", t.Name)
	}
	return nil
}

// Stale reports whether writing t over the stored record is a conflict
// (CheckVersion); exists says whether a record is stored, with version
// stored.
func (t Token) Stale(stored int64, exists bool) error {
	if !exists {
		stored = 0
	}
	return CheckVersion("token", t.Name, t.Version, stored)
}
