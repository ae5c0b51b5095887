package store

import (
	"fmt"
	"maps"
	"time"
)

// CreateFlagConfig implements Tx.
func (tx *memTx) CreateFlagConfig(c FlagConfig) (FlagConfig, error) {
	if err := tx.write(tableFlags); err != nil {
		return FlagConfig{}, fmt.Errorf("create flag config: %w", err)
	}
	if err := CheckFlagBase(c.Revision, len(tx.t.flags)); err != nil {
		return FlagConfig{}, err
	}
	c.Revision = len(tx.t.flags) + 1
	b, err := encode("flag config", c)
	if err != nil {
		return FlagConfig{}, err
	}
	tx.t.flags = append(tx.t.flags, b)
	return decode[FlagConfig]("flag config", b)
}

// GetFlagConfig implements Tx.
func (tx *memTx) GetFlagConfig() (FlagConfig, error) {
	if err := tx.read(); err != nil {
		return FlagConfig{}, err
	}
	if len(tx.t.flags) == 0 {
		return FlagConfig{}, fmt.Errorf("get flag config: %w", ErrNotFound)
	}
	return decode[FlagConfig]("flag config", tx.t.flags[len(tx.t.flags)-1])
}

// FlagConfigRevision implements Tx.
func (tx *memTx) FlagConfigRevision() (int, error) {
	if err := tx.read(); err != nil {
		return 0, err
	}
	return len(tx.t.flags), nil
}

// ListFlagConfigs implements Tx.
func (tx *memTx) ListFlagConfigs(limit int) ([]FlagConfig, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var out []FlagConfig
	for i := len(tx.t.flags) - 1; i >= 0 && !full(len(out), limit); i-- {
		c, err := decode[FlagConfig]("flag config", tx.t.flags[i])
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// PutFlagUsage implements Tx.
func (tx *memTx) PutFlagUsage(evaluated map[string]time.Time) error {
	if err := tx.write(tableFlags); err != nil {
		return fmt.Errorf("put flag usage: %w", err)
	}
	for k, at := range evaluated {
		tx.t.flagUsage[k] = at.UTC()
	}
	return nil
}

// ListFlagUsage implements Tx.
func (tx *memTx) ListFlagUsage() (map[string]time.Time, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	return maps.Clone(tx.t.flagUsage), nil
}
