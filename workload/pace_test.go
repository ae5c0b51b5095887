package workload

import (
	"fmt"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestDecideBoundsStarts: one pass starts at most MaxStartsPerPass new
// instances (created now, or created and not started yet), and asks to
// be called again at once for the rest.
func TestDecideBoundsStarts(t *testing.T) {
	pending := func(n int) []Observed {
		var obs []Observed
		for i := range n {
			obs = append(obs, inst(fmt.Sprintf("p%d", i), 1, store.InstancePending, false))
		}
		return obs
	}
	tests := []struct {
		name            string
		replicas        int
		obs             []Observed
		creates, starts int
		requeue         bool
	}{
		{"a few: all at once", 3, nil, 3, 0, false},
		{"exactly the bound", MaxStartsPerPass, nil, MaxStartsPerPass, 0, false},
		{"a thousand: the bound", 1000, nil, MaxStartsPerPass, 0, true},
		{"pending ones count", 1000, pending(5), MaxStartsPerPass - 5, 5, true},
		{"pending past the bound start too", 20, pending(10), 0, 10, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Decide(Desired{Revision: 1, Replicas: tc.replicas, MaxSurge: 1}, tc.obs, t0, DefaultRestartPolicy())
			counts := map[ActionKind]int{}
			for _, a := range p.Actions {
				counts[a.Kind]++
			}
			if counts[Create] != tc.creates || counts[Start] != tc.starts {
				t.Errorf("creates %d starts %d; want %d, %d", counts[Create], counts[Start], tc.creates, tc.starts)
			}
			if (p.Requeue > 0) != tc.requeue {
				t.Errorf("requeue %v; want one: %v", p.Requeue, tc.requeue)
			}
		})
	}
}
