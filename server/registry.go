package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// The environments registry is a record kind in the hub's store
// (store.Environment): every hosted environment, its router address, and
// whether it is going down. A server before the registry moved there
// kept it in DATA/environments.json, which importRegistry reads once.

// legacyRegistry is the file that held the registry before it moved
// into the hub's store; importedSuffix is added to its name once imported.
const (
	legacyRegistry = "environments.json"
	importedSuffix = ".imported"
)

// legacyEntry is one environment as environments.json remembered it
// (the default one had an entry only while it was going down).
type legacyEntry struct {
	Name   string `json:"name"`
	Router string `json:"router"`
	Down   bool   `json:"down,omitempty"`
}

// importRegistry imports dataDir's environments.json into the hub's
// registry when the registry is empty, then renames the file
// environments.json.imported (kept for a person to look at). A crash
// between the two is harmless: the next start finds rows, imports
// nothing, and renames the file. An environment that was going down is
// imported going down (asked by "environments.json", now).
func importRegistry(ctx context.Context, hub store.Store, dataDir string, now time.Time) error {
	path := filepath.Join(dataDir, legacyRegistry)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the environments registry: %w", err)
	}
	var entries []legacyEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := checkEntries(entries); err != nil {
		return fmt.Errorf("%s: %w; fix or remove that entry and start again", path, err)
	}
	err = hub.Update(ctx, func(tx store.Tx) error {
		if have, err := tx.ListEnvironments(); err != nil || len(have) > 0 {
			return err
		}
		for _, en := range entries {
			e := store.Environment{Name: en.Name, Router: en.Router, CreatedAt: now}
			if en.Down {
				e.Down = &store.Teardown{By: legacyRegistry, RequestedAt: now}
			}
			if err := tx.PutEnvironment(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	if err := os.Rename(path, path+importedSuffix); err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	return nil
}

// checkEntries refuses an environments.json whose names break the rule
// (spec.CheckEnvironmentName): a name is a folder under the data folder.
func checkEntries(entries []legacyEntry) error {
	for i, en := range entries {
		if err := spec.CheckEnvironmentName(en.Name); err != nil {
			return fmt.Errorf("entry %d: %w", i+1, err)
		}
	}
	return nil
}

// ensureDefault gives the default environment its registry record when
// it has none yet.
func ensureDefault(ctx context.Context, hub store.Store, now time.Time) error {
	return hub.Update(ctx, func(tx store.Tx) error {
		_, err := tx.GetEnvironment(spec.DefaultEnvironment)
		if errors.Is(err, store.ErrNotFound) {
			err = tx.PutEnvironment(store.Environment{Name: spec.DefaultEnvironment, CreatedAt: now})
		}
		return err
	})
}

// listEnvironments reads the registry.
func listEnvironments(ctx context.Context, hub store.Store) ([]store.Environment, error) {
	var out []store.Environment
	err := hub.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListEnvironments()
		return err
	})
	return out, err
}

// editEnvironment reads an environment's record (a new one, version 0,
// when there is none), lets edit change it, and writes it back, checked
// against the version read, in one transaction.
func editEnvironment(ctx context.Context, hub store.Store, name string, edit func(e *store.Environment) error) error {
	return hub.Update(ctx, func(tx store.Tx) error {
		e, err := tx.GetEnvironment(name)
		if errors.Is(err, store.ErrNotFound) {
			e, err = store.Environment{Name: name}, nil
		}
		if err != nil {
			return err
		}
		if err := edit(&e); err != nil {
			return err
		}
		return tx.PutEnvironment(e)
	})
}
