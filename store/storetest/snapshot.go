package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/store"
)

// snapshot is everything a store holds, as read through the contract.
type snapshot struct {
	App          *store.App
	Services     []store.Service
	Revisions    map[string][]store.Revision
	Instances    []store.Instance
	Operations   []store.Operation
	Versions     []store.Version
	Promotions   []store.Promotion
	Environments []store.Environment
	FlagConfigs  []store.FlagConfig
	FlagUsage    map[string]any
	Configs      []store.ConfigVersion // every version of every config
	Deliveries   []store.ConfigDelivery
	Events       []store.Event
}

// Snapshot returns everything s holds (records of every kind and every
// event) as JSON: two snapshots are equal exactly when nothing was
// written in between. Tests of bad input use it to show that a refused
// request changed nothing.
func Snapshot(ctx context.Context, s store.Store) (string, error) {
	var snap snapshot
	err := s.View(ctx, func(tx store.Tx) error { return read(tx, &snap) })
	if err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	b, err := json.MarshalIndent(snap, "", " ")
	return string(b), err
}

// read fills snap from tx.
func read(tx store.Tx, snap *snapshot) error {
	app, err := tx.GetApp()
	switch {
	case err == nil:
		snap.App = &app
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if snap.Services, err = tx.ListServices(); err != nil {
		return err
	}
	snap.Revisions = map[string][]store.Revision{}
	for _, s := range snap.Services {
		if snap.Revisions[s.Name], err = tx.ListRevisions(s.Name); err != nil {
			return err
		}
	}
	latest, err := tx.ListConfigs()
	if err != nil {
		return err
	}
	for _, c := range latest {
		vs, err := tx.ListConfigVersions(c.Name, 0)
		if err != nil {
			return err
		}
		snap.Configs = append(snap.Configs, vs...)
	}
	usage, err := tx.ListFlagUsage()
	if err != nil {
		return err
	}
	snap.FlagUsage = map[string]any{}
	for k, v := range usage {
		snap.FlagUsage[k] = v
	}
	return errors.Join(
		list(&snap.Instances, func() ([]store.Instance, error) { return tx.ListInstances("") }),
		list(&snap.Operations, func() ([]store.Operation, error) { return tx.ListOperations(false, 0) }),
		list(&snap.Versions, func() ([]store.Version, error) { return tx.ListVersions("") }),
		list(&snap.Promotions, func() ([]store.Promotion, error) { return tx.ListPromotions("", false, 0) }),
		list(&snap.Environments, tx.ListEnvironments),
		list(&snap.FlagConfigs, func() ([]store.FlagConfig, error) { return tx.ListFlagConfigs(0) }),
		list(&snap.Deliveries, tx.ListConfigDeliveries),
		list(&snap.Events, func() ([]store.Event, error) { return tx.ListEvents(0, "", 0) }),
	)
}

// list stores what fn lists in *dst.
func list[T any](dst *[]T, fn func() ([]T, error)) error {
	v, err := fn()
	*dst = v
	return err
}
