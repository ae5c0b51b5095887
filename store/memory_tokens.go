package store

import (
	"fmt"
	"maps"
	"slices"
)

// GetToken implements Tx.
func (tx *memTx) GetToken(name string) (Token, error) {
	if err := tx.read(); err != nil {
		return Token{}, err
	}
	d, ok := tx.t.tokens[name]
	if !ok {
		return Token{}, NotFoundf("token %s not found", name)
	}
	return decode[Token]("token", d.doc)
}

// ListTokens implements Tx.
func (tx *memTx) ListTokens() ([]Token, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, name := range slices.Sorted(maps.Keys(tx.t.tokens)) {
		docs = append(docs, tx.t.tokens[name].doc)
	}
	return decodeAll("token", docs, decode[Token])
}

// PutToken implements Tx.
func (tx *memTx) PutToken(t Token) error {
	if err := t.Check(); err != nil {
		return err
	}
	if err := tx.write(tableTokens); err != nil {
		return fmt.Errorf("put token %s: %w", t.Name, err)
	}
	stored, exists := tx.t.tokens[t.Name]
	if err := t.Stale(stored.version, exists); err != nil {
		return err
	}
	t.Version++
	b, err := encode("token", t)
	if err != nil {
		return err
	}
	tx.t.tokens[t.Name] = recordDoc{version: t.Version, doc: b}
	return nil
}

// DeleteToken implements Tx.
func (tx *memTx) DeleteToken(name string) error {
	if err := tx.write(tableTokens); err != nil {
		return fmt.Errorf("delete token %s: %w", name, err)
	}
	if _, ok := tx.t.tokens[name]; !ok {
		return NotFoundf("token %s not found", name)
	}
	delete(tx.t.tokens, name)
	return nil
}
