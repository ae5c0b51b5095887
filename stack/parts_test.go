package stack

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// flagsOnly is a team's file of flags for app shop: no services.
const flagsOnly = `app: shop
flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    rules:
      - {segment: staff, serve: on}
segments:
  staff: {if: 'ctx.email.endsWith("@shop.example")'}
`

// applyAll applies text as the API does: the services, then the flags,
// in one transaction.
func applyAll(t *testing.T, s store.Store, text string) (*store.Operation, FlagPlan) {
	t.Helper()
	app := parse(t, text)
	var op *store.Operation
	var fp FlagPlan
	err := s.Update(context.Background(), func(tx store.Tx) error {
		src := Source{File: "slipway.yaml", Text: text}
		_, o, err := Apply(tx, app, src, now)
		if err != nil {
			return err
		}
		op = o
		fp, err = ApplyFlags(tx, app, src, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return op, fp
}

// snapshot is what the store says of the app's services and flags.
type snapshot struct {
	services []store.Service
	app      store.App
	flags    store.FlagConfig
}

func read(t *testing.T, s store.Store) snapshot {
	t.Helper()
	var out snapshot
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		if out.services, err = tx.ListServices(); err != nil {
			return err
		}
		if out.app, err = tx.GetApp(); err != nil {
			return err
		}
		out.flags, err = currentFlags(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAFlagsOnlyApplyLeavesTheServices: a file of flags only changes
// the flags and nothing else: no operation, no service removed, the app
// record (the spec pipelines read) as the services' file left it.
func TestAFlagsOnlyApplyLeavesTheServices(t *testing.T) {
	s := store.NewMemory()
	op, _ := applyAll(t, s, base)
	converge(t, s, op)
	before := read(t, s)

	op, fp := applyAll(t, s, flagsOnly)
	if op != nil {
		t.Fatalf("a flags-only apply started operation %+v", op)
	}
	if !slices.Equal(fp.Flags.Added, []string{"new-checkout"}) || !slices.Equal(fp.Segments.Added, []string{"staff"}) {
		t.Fatalf("flag plan %+v, want new-checkout and staff added", fp)
	}
	after := read(t, s)
	if !slices.EqualFunc(before.services, after.services, sameService) {
		t.Errorf("services after a flags-only apply:\n%+v\nwant as before:\n%+v", after.services, before.services)
	}
	if after.app != before.app {
		t.Errorf("app record %+v, want as the services' apply left it", after.app)
	}
	if _, ok := after.flags.Flags["new-checkout"]; !ok {
		t.Errorf("flags served %v, want new-checkout", slices.Collect(maps.Keys(after.flags.Flags)))
	}
	var kept []string
	_ = s.View(context.Background(), func(tx store.Tx) error {
		var err error
		kept, err = Kept(tx, parse(t, flagsOnly))
		return err
	})
	if !slices.Equal(kept, []string{PartServices}) {
		t.Errorf("kept %v, want services", kept)
	}
}

// TestAServicesOnlyApplyLeavesTheFlags: the services' file, applied
// after the flags' file, converges the services and leaves the served
// flags as they are (a file without flags: is not a file of no flags).
func TestAServicesOnlyApplyLeavesTheFlags(t *testing.T) {
	s := store.NewMemory()
	op, _ := applyAll(t, s, base)
	converge(t, s, op)
	applyAll(t, s, flagsOnly)
	before := read(t, s)

	changed := base + "  cart:\n    run: [./cart]\n"
	op, fp := applyAll(t, s, changed)
	if op == nil || len(op.Changes) != 1 || op.Changes[0].Service != "cart" {
		t.Fatalf("operation %+v, want cart added", op)
	}
	if !fp.Empty() {
		t.Fatalf("flag plan %+v, want no change", fp)
	}
	after := read(t, s)
	if after.flags.Revision != before.flags.Revision || len(after.flags.Flags) != 1 || len(after.flags.Segments) != 1 {
		t.Errorf("flags revision %d with %d flags, %d segments; want revision %d unchanged",
			after.flags.Revision, len(after.flags.Flags), len(after.flags.Segments), before.flags.Revision)
	}

	converge(t, s, op)

	// A file that says flags: {} owns the flags, and has none: they go.
	_, fp = applyAll(t, s, changed+"flags: {}\n")
	if !slices.Equal(fp.Flags.Removed, []string{"new-checkout"}) || !slices.Equal(fp.Segments.Removed, []string{"staff"}) {
		t.Errorf("flag plan %+v, want new-checkout and staff removed", fp)
	}
}

func sameService(a, b store.Service) bool {
	return a.Name == b.Name && a.Revision == b.Revision && a.Stable == b.Stable && a.Phase == b.Phase && a.Removed == b.Removed
}
