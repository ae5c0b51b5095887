package ofrep

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// KeyChecker checks an evaluation key. It returns nil for a key that may
// evaluate, an error wrapping ErrUnknownKey (401) or ErrForbidden (403) to
// refuse it, and any other error when it could not tell (500).
type KeyChecker func(key string) error

// Errors a KeyChecker returns to refuse a key.
var (
	ErrUnknownKey = errors.New("unknown evaluation key")
	ErrForbidden  = errors.New("evaluation key not allowed here")
)

// errNoKey is a request without a key where one is needed.
var errNoKey = errors.New("an evaluation key is required (Authorization: Bearer KEY or X-API-Key: KEY)")

// StaticKeys returns a KeyChecker that accepts exactly keys, comparing in
// constant time.
func StaticKeys(keys ...string) KeyChecker {
	sums := make([][sha256.Size]byte, len(keys))
	for i, k := range keys {
		sums[i] = sha256.Sum256([]byte(k))
	}
	return func(key string) error {
		sum := sha256.Sum256([]byte(key))
		found := 0
		for i := range sums {
			found |= subtle.ConstantTimeCompare(sum[:], sums[i][:])
		}
		if found == 0 {
			return ErrUnknownKey
		}
		return nil
	}
}

// caller is who an authorised request comes from.
type caller struct {
	key string // the evaluation key; empty when anonymous
}

// authorize finds the request's key and checks it.
func (h *Handler) authorize(r *http.Request) (caller, error) {
	key, err := RequestKey(r.Header)
	if err != nil {
		return caller{}, err
	}
	switch {
	case key == "" && h.cfg.AllowAnonymous:
		return caller{}, nil
	case key == "":
		return caller{}, errNoKey
	case h.cfg.CheckKey == nil && h.cfg.AllowAnonymous:
		return caller{}, nil // no keys exist: a key is as good as none
	}
	if err := h.cfg.CheckKey(key); err != nil {
		return caller{}, fmt.Errorf("check evaluation key: %w", err)
	}
	return caller{key: key}, nil
}

// RequestKey returns the key of "Authorization: Bearer KEY" (any case,
// any spaces), or else of "X-API-Key: KEY"; empty if there is neither.
// A server that guards OFREP (a rate limit per key) reads the key with
// it, so that a key the handler accepts is never one the guard missed.
func RequestKey(h http.Header) (string, error) {
	if auth := h.Get("Authorization"); auth != "" {
		scheme, key, _ := strings.Cut(auth, " ")
		key = strings.TrimSpace(key)
		if !strings.EqualFold(scheme, "Bearer") || key == "" {
			return "", fmt.Errorf("%w: Authorization must be \"Bearer KEY\"", ErrUnknownKey)
		}
		return key, nil
	}
	return strings.TrimSpace(h.Get("X-API-Key")), nil
}

// Authorized wraps next with the handler's evaluation-key check, for
// endpoints a server serves beside OFREP to the same clients (the flag
// definitions an in-process evaluator follows): a refused request is
// answered as OFREP's own are (401, 403, or 500 when the check failed).
func (h *Handler) Authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := h.authorize(r); err != nil {
			h.refuse(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
