package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/store"
)

// tokenAdmin keeps the named API tokens in the default environment's
// store and the keyring in step with it.
type tokenAdmin struct {
	hub  store.Store
	keys *keyring
	now  func() time.Time
}

var _ httpapi.TokenAdmin = (*tokenAdmin)(nil)

// tokenName is what a token's name may be: it is recorded as token:NAME.
var tokenName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Create implements httpapi.TokenAdmin.
func (a *tokenAdmin) Create(ctx context.Context, name string, role httpapi.Role, by string) (api.TokenCreated, error) {
	if !tokenName.MatchString(name) || name == "admin" {
		return api.TokenCreated{}, store.Invalidf("token name %q: want lower-case letters, digits, '.', '_' or '-' (up to 63), and not admin (the server's own)", name)
	}
	value, err := newTokenValue()
	if err != nil {
		return api.TokenCreated{}, err
	}
	sum := sha256.Sum256([]byte(value))
	t := store.Token{Name: name, Role: role.String(), Hash: hex.EncodeToString(sum[:]), CreatedAt: a.now(), CreatedBy: by}
	err = a.hub.Update(ctx, func(tx store.Tx) error { return tx.PutToken(t) })
	if err != nil {
		return api.TokenCreated{}, fmt.Errorf("create token %s: %w", name, err)
	}
	a.keys.addHash(sum, httpapi.Principal{Name: "token:" + name, Role: role})
	return api.TokenCreated{Token: a.toAPI(t), Value: value}, nil
}

// List implements httpapi.TokenAdmin.
func (a *tokenAdmin) List(ctx context.Context) ([]api.Token, error) {
	var ts []store.Token
	err := a.hub.View(ctx, func(tx store.Tx) (err error) { ts, err = tx.ListTokens(); return err })
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]api.Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, a.toAPI(t))
	}
	return out, nil
}

// Revoke implements httpapi.TokenAdmin: the token is refused from the
// moment the store has forgotten it.
func (a *tokenAdmin) Revoke(ctx context.Context, name string) error {
	var t store.Token
	err := a.hub.Update(ctx, func(tx store.Tx) (err error) {
		if t, err = tx.GetToken(name); err != nil {
			return err
		}
		return tx.DeleteToken(name)
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	if sum, ok := hashOf(t); ok {
		a.keys.remove(sum)
	}
	return nil
}

// load accepts every token the store holds (at the server's start).
func (a *tokenAdmin) load(ctx context.Context) error {
	var ts []store.Token
	err := a.hub.View(ctx, func(tx store.Tx) (err error) { ts, err = tx.ListTokens(); return err })
	if err != nil {
		return fmt.Errorf("load tokens: %w", err)
	}
	for _, t := range ts {
		role, err := httpapi.ParseRole(t.Role)
		sum, ok := hashOf(t)
		if err != nil || !ok {
			return fmt.Errorf("load token %s: a bad role or hash in the store", t.Name)
		}
		a.keys.addHash(sum, httpapi.Principal{Name: "token:" + t.Name, Role: role})
	}
	return nil
}

func (a *tokenAdmin) toAPI(t store.Token) api.Token {
	return api.Token{Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy,
		LastUsedAt: a.keys.lastUsed("token:" + t.Name)}
}

// hashOf decodes a stored token's hash.
func hashOf(t store.Token) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	b, err := hex.DecodeString(t.Hash)
	if err != nil || len(b) != sha256.Size {
		return sum, false
	}
	copy(sum[:], b)
	return sum, true
}
