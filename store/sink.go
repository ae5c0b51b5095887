package store

import "time"

// SinkCursor is how far one notification destination (a sink of the
// spec's notifications:) has read an event log: every event up to Seq
// was delivered to it or skipped by its filter. It is written after each
// delivery, so a server killed between a delivery and its cursor write
// delivers that event once more (at least once; receivers de-duplicate
// by the event's ID). Errors are kept secret-free: the notify package
// writes them without URLs or keys.
type SinkCursor struct {
	// Sink names the destination: its name in the spec, and for the hub's
	// log read on behalf of another environment, "ENV/NAME".
	Sink string `json:"sink"`
	// Version counts the record's writes; PutSinkCursor checks it (see
	// CheckVersion).
	Version int64 `json:"version"`
	// Seq is the last event read.
	Seq int64 `json:"seq"`
	// Delivered counts the events delivered.
	Delivered int64 `json:"delivered,omitempty"`
	// LastSuccess is when the last delivery succeeded.
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	// LastError says why the last attempt failed, and LastErrorAt when;
	// Failures counts the attempts failed in a row (0 after a success).
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`
	Failures    int       `json:"failures,omitempty"`
}

// Check reports a record no store may hold.
func (c SinkCursor) Check() error {
	if c.Sink == "" {
		return Invalidf("put sink cursor: empty sink name")
	}
	return nil
}

// Stale reports whether writing c over the stored record is a conflict
// (CheckVersion).
func (c SinkCursor) Stale(stored int64, exists bool) error {
	if !exists {
		stored = 0
	}
	return CheckVersion("sink cursor", c.Sink, c.Version, stored)
}

// LinkUse records that a signed one-time link (an approval link in a
// notification) was used: its nonce, so that it works once.
type LinkUse struct {
	// Nonce is the link's one-time value.
	Nonce string `json:"nonce"`
	// Action is what the link did ("approve", "reject").
	Action string `json:"action"`
	// Promotion is the promotion it acted on.
	Promotion int64 `json:"promotion"`
	// By is who the link was made for (link:NAME).
	By     string    `json:"by"`
	UsedAt time.Time `json:"usedAt"`
}

// Check reports a record no store may hold.
func (u LinkUse) Check() error {
	if u.Nonce == "" {
		return Invalidf("use link: empty nonce")
	}
	return nil
}
