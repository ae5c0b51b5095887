package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// flowRelease releases v2 of a string flag whose off variant, dark, is
// neither its default nor the released variant.
const flowRelease = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    env: {VERSION: v1}
    health: {readiness: {http: /healthz}}
flags:
  checkout-flow:
    class: release
    type: string
    variants: {v1: one-page, v2: wizard, dark: none}
    default: v1
    off: dark
    progressive:
      variant: v2
      service: order
      steps: [{percent: 10, bake: 1m}, {percent: 50, bake: 1m}, {percent: 100}]
      analysis:
        interval: 10s
        metrics:
          - {name: ok, provider: router, metric: successRate, successCondition: result >= 0.99}
`

// servedFlow counts the variants checkout-flow serves 1,000 subjects now,
// and the reasons.
func (h *harness) servedFlow() (map[string]int, map[flags.Reason]int) {
	h.t.Helper()
	var set *flags.Set
	h.view(func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err == nil {
			set, err = stack.CompileFlags(c)
		}
		return err
	})
	variants, reasons := map[string]int{}, map[flags.Reason]int{}
	for i := range 1000 {
		r := set.Evaluate("checkout-flow", flags.Context{TargetingKey: fmt.Sprint("user-", i)})
		variants[r.Variant]++
		reasons[r.Reason]++
	}
	return variants, reasons
}

// TestAKilledReleaseServesOff: a kill in the middle of a release stops
// it, and everyone gets the off variant (not the default, not the
// released one) until the flag is enabled; then the variant is at 0%.
func TestAKilledReleaseServesOff(t *testing.T) {
	h := newHarness(t)
	h.values.set(1, 1.0)
	h.apply(flowRelease)
	h.markReady("order")
	h.enqueue(queue.FlagKey("checkout-flow"), 0)
	h.settle()
	if v, _ := h.servedFlow(); v["v2"] < 50 || v["v2"] > 150 {
		t.Fatalf("step 1: %v, want about 100 on v2", v)
	}
	edit := func(e stack.FlagEdit) {
		if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.EditFlag(tx, "checkout-flow", e, h.clock.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	edit(stack.KillFlag("wizard errors"))
	for range 30 {
		h.advance(10 * time.Second)
	}
	var r store.FlagRelease
	h.view(func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err == nil {
			r = *c.Releases["checkout-flow"]
		}
		return err
	})
	if r.Outcome != store.CanaryRolledBack || !strings.Contains(r.Reason, "killed") || r.Percent != 0 {
		t.Fatalf("release after the kill: %+v, want rolled back at 0%% by the kill", r)
	}
	if v, reasons := h.servedFlow(); v["dark"] != 1000 || reasons[flags.ReasonDisabled] != 1000 {
		t.Fatalf("killed: %v %v, want dark (off) for all 1000, DISABLED", v, reasons)
	}
	edit(stack.EnableFlag("fixed"))
	if v, _ := h.servedFlow(); v["v1"] != 1000 {
		t.Fatalf("enabled again: %v, want the default v1 for everyone (the release stopped)", v)
	}
}
