package api

import "time"

// NotificationStatus is one notification destination's delivery from one
// event log (GET /v1/notifications): where it sends (never a secret),
// how far it has read and how its attempts went.
type NotificationStatus struct {
	Name string `json:"name"`
	// Kind is slack or webhook.
	Kind string `json:"kind"`
	// Target is ${secret.NAME} as written, or a URL's scheme and host.
	Target string `json:"target"`
	// Log is the environment whose log it reads (the hub's, "default",
	// for the promotions into another environment).
	Log string `json:"log"`
	// Cursor is the last event read; Lag how many events came after it.
	Cursor    int64 `json:"cursor"`
	Lag       int64 `json:"lag"`
	Delivered int64 `json:"delivered"`
	// LastSuccess is when a delivery last succeeded.
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	// LastError says why the last failed attempt failed, and when.
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`
	// Failures counts the attempts failed in a row (0: delivering).
	Failures int `json:"failures,omitempty"`
	// Broken says why it cannot send at all (a secret not stored).
	Broken string `json:"broken,omitempty"`
}
