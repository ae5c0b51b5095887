package store

import (
	"time"
)

// Secret is one version of a secret as a store keeps it: sealed
// (encrypted by the server's key, package secret), never the value.
// Versions are append-only and numbered from 1 per name: a revision
// names the versions it runs with (spec.Service.SecretVersions), so a
// rollback runs with the values it ran with before.
type Secret struct {
	Name string `json:"name"`
	// Version is 1 for the first value stored under Name, then one more
	// for each; AddSecret sets it.
	Version int `json:"version"`
	// Sealed is the value encrypted to the server's key (age).
	Sealed []byte    `json:"sealed"`
	SetAt  time.Time `json:"setAt"`
	// SetBy is who stored it (token:NAME, uid:N (user)).
	SetBy string `json:"setBy,omitempty"`
	// Via says how it came: "apply" (a spec's secrets: section,
	// resolved by the CLI) or "set" (slipway secret set).
	Via string `json:"via,omitempty"`
}

// Check reports a record no store may hold.
func (s Secret) Check() error {
	switch {
	case s.Name == "":
		return Invalidf("add secret: empty name")
	case len(s.Sealed) == 0:
		return Invalidf("add secret %s: not sealed", s.Name)
	}
	return nil
}
