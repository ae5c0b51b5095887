package api

import "time"

// SecretRequest stores a secret's value directly (slipway secret set).
// Value is text (an environment variable's value): valid UTF-8 without
// NUL bytes.
type SecretRequest struct {
	Value string `json:"value"`
}

// Secret is what the API says of a secret: never its value.
type Secret struct {
	Name string `json:"name"`
	// Version is the latest version's number (1 for the first value).
	Version int       `json:"version"`
	SetAt   time.Time `json:"setAt"`
	SetBy   string    `json:"setBy,omitempty"`
	// Via is "apply" (a spec's secrets:, resolved by the CLI) or "set".
	Via string `json:"via,omitempty"`
	// Stored says whether the request stored a new version (false when
	// the latest already held the value); only in a set's answer.
	Stored bool `json:"stored,omitempty"`
}

// SecretChange is a secret an apply sends, by version: From is the
// version stored now (0: none), To the one the apply stores (equal to
// From when the value is the same).
type SecretChange struct {
	From int `json:"from"`
	To   int `json:"to"`
}
