package rollout

import (
	"time"

	"github.com/slipway-dev/slipway/health"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

func healthChange(in store.Instance, ready, liveness bool) health.Change {
	c := health.Change{ID: in.ID, PID: in.PID, State: health.Failing, Summary: "failing: GET / -> 500 (3 in a row)"}
	if ready {
		c.State = health.Passing
	}
	if liveness {
		c.Kind = health.Liveness
	}
	return c
}

func rollbackOp(tx store.Tx, service string) (*store.Operation, error) {
	return stack.Rollback(tx, service, 0, "test", time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC))
}
