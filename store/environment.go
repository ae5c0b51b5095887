package store

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Environment is one environment a server hosts, as the registry in the
// default environment's store (the hub) remembers it, so that a
// restarted server opens it again with the same router address, and
// finishes taking it down if it was going down.
//
// Its lifecycle:
//
//	(none) --first apply--> Up --slipway down--> GoingDown --every step done--> Up (empty)
//
// An environment is never forgotten: once down, it is empty, and an
// apply brings it back.
type Environment struct {
	Name string `json:"name"`
	// Router is the address its router listens on (host:port), fixed
	// when it was created. The default environment's is the server's
	// --router flag, so its record leaves Router empty.
	Router string `json:"router,omitempty"`
	// Down, set while the environment is being taken down, is who asked
	// and when: the desired state the take-down controller drives to
	// done, then clears.
	Down *Teardown `json:"down,omitempty"`
	// LastDown is the latest take-down that finished.
	LastDown *Teardown `json:"lastDown,omitempty"`
	// Version counts the record's writes; PutEnvironment checks it (see
	// Environment.Stale).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
}

// Teardown is one request to take an environment down.
type Teardown struct {
	By          string    `json:"by,omitempty"`
	RequestedAt time.Time `json:"requestedAt"`
	// DoneAt is when it finished (zero while in flight).
	DoneAt time.Time `json:"doneAt,omitzero"`
}

// GoingDown reports whether the environment is being taken down.
func (e Environment) GoingDown() bool { return e.Down != nil }

// Check reports a record no store may hold (every store's
// PutEnvironment refuses it).
func (e Environment) Check() error {
	if e.Name == "" {
		return Invalidf("put environment: empty name")
	}
	if err := spec.CheckEnvironmentName(e.Name); err != nil {
		return Invalidf("put environment: %s", err)
	}
	return nil
}

// Stale reports whether writing e over the stored record is a conflict,
// by the rule every mutable record follows (CheckVersion): e.Version 0
// means the record must not exist yet; otherwise it must be the stored
// version (which the write then increments). exists says whether a
// record is stored, with version stored.
func (e Environment) Stale(stored int64, exists bool) error {
	if !exists {
		stored = 0
	}
	return CheckVersion("environment", e.Name, e.Version, stored)
}
