package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/store"
)

// ConfigRelease is a config version that goes with a revision: the apply
// that stores it also changes the config's service, so the service's
// candidate reads the new values and its stable revision keeps Keeps.
// They are promoted or rolled back together; no staged delivery runs.
type ConfigRelease struct {
	Config, Service string
	// Revision is the candidate revision that reads the new version;
	// Keeps the version the other instances keep meanwhile.
	Revision, Keeps int
}

// RevisionMove is a service's target revision before and after an
// apply (From 0: a service the apply adds).
type RevisionMove struct{ From, To int }

// OperationMoves are the revision moves of an apply's operation (none
// without one).
func OperationMoves(op *store.Operation) map[string]RevisionMove {
	out := map[string]RevisionMove{}
	if op == nil {
		return out
	}
	for _, ch := range op.Changes {
		out[ch.Service] = RevisionMove{From: ch.From, To: ch.To}
	}
	return out
}

// TieConfigs ties each version of plan whose values differ from what
// the config's instances have now to the new revision of its service,
// when the same apply moves an existing service to one (moves): the
// version gets Revision and plan.Released says so. A config the apply
// adds, or whose service it adds or leaves as it is, is delivered on
// its own as before.
func TieConfigs(tx store.Tx, plan *ConfigPlan, moves map[string]RevisionMove) error {
	plan.Released = nil
	for i := range plan.Next {
		v := &plan.Next[i]
		v.Revision = 0
		m, ok := moves[v.Spec.Service]
		if !ok || m.From == 0 || m.To == 0 || v.Version == 0 {
			continue
		}
		keeps, err := settledVersion(tx, v.Name)
		if err != nil {
			return err
		}
		if sameValues(keeps.Values, v.Values) {
			continue // stable has these values already: nothing to release
		}
		v.Revision = m.To
		v.Reason += fmt.Sprintf("; released with revision %d of %s", m.To, v.Spec.Service)
		plan.Released = append(plan.Released, ConfigRelease{Config: v.Name, Service: v.Spec.Service, Revision: m.To, Keeps: keeps.Version})
	}
	return nil
}

// settledVersion is the version of a config every instance has once its
// delivery settles (the latest when it has none).
func settledVersion(tx store.Tx, name string) (store.ConfigVersion, error) {
	d, err := tx.GetConfigDelivery(name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return tx.GetConfigVersion(name, 0)
	case err != nil:
		return store.ConfigVersion{}, err
	}
	return tx.GetConfigVersion(name, d.Effective())
}

// releaseConfig starts the delivery of a version tied to a revision: the
// candidate's instances get it as they start, the others keep r.Keeps.
// The rollout controller's pass ends it with the revision.
func releaseConfig(tx store.Tx, saved store.ConfigVersion, r ConfigRelease, now time.Time) error {
	d := store.ConfigDelivery{Name: saved.Name}
	old, err := tx.GetConfigDelivery(saved.Name)
	switch {
	case err == nil:
		d.StoreVersion, d.Applied = old.StoreVersion, old.Applied
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	d.Version, d.Previous, d.Revision, d.Phase = saved.Version, r.Keeps, r.Revision, store.DeliveryProgressing
	d.Started, d.StepStarted, d.By = now, now, saved.By
	d.Reason = fmt.Sprintf("released with revision %d of %s: its instances read %s, the others keep %s",
		r.Revision, r.Service, config.Version(saved.Version), config.Version(r.Keeps))
	return tx.PutConfigDelivery(d)
}

// inRelease refuses a run-time change to a config whose latest version
// goes with a revision still in release: it would part the two.
func inRelease(tx store.Tx, name, verb string) error {
	d, err := tx.GetConfigDelivery(name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	if d.Revision == 0 || d.Phase.Terminal() {
		return nil
	}
	v, err := tx.GetConfigVersion(name, d.Version)
	if err != nil {
		return err
	}
	svc := v.Spec.Service
	return store.Conflictf("config %s %s goes with revision %d of %s, still in release: cannot %s it apart from the "+
		"revision; promote or abort that rollout first (slipway rollout promote %s; slipway rollout abort %s rolls both back)",
		name, config.Version(d.Version), d.Revision, svc, verb, svc, svc)
}
