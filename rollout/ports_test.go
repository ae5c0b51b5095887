package rollout

import (
	"testing"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
)

// TestPortTakenIsNotACrash: an instance that ended while another process
// listens on its port (it lost the race for it) gets another port and
// restarts at once, with no crash counted.
func TestPortTakenIsNotACrash(t *testing.T) {
	h, _ := converged(t)
	victim := h.instances("invoice")[0]
	ports := h.ctl.cfg.Ports.(*fakePorts)
	ports.taken = map[int]bool{victim.Port: true}
	_ = h.driver.end(victim.ID, "exit status 1")
	h.enqueue(queue.ServiceKey("invoice"), 0)
	h.settle()
	var in store.Instance
	for _, i := range h.instances("invoice") {
		if i.ID == victim.ID {
			in = i
		}
	}
	if in.State != store.InstanceRunning || in.Port == victim.Port || in.Crashes != 0 {
		t.Fatalf("after losing its port: %s on port %d (was %d), %d crashes; want Running on another port, no crash",
			in.State, in.Port, victim.Port, in.Crashes)
	}
	if len(h.events(store.EventInstancePortMoved)) != 1 {
		t.Errorf("%d port-moved events, want 1", len(h.events(store.EventInstancePortMoved)))
	}
}

// TestPortTakenBeforeRestart: an instance in backoff whose port another
// process took meanwhile gets another before it starts again.
func TestPortTakenBeforeRestart(t *testing.T) {
	h, _ := converged(t)
	victim := h.instances("invoice")[0]
	_ = h.driver.end(victim.ID, "exit status 2")
	h.enqueue(queue.ServiceKey("invoice"), 0)
	h.settle()
	ports := h.ctl.cfg.Ports.(*fakePorts)
	ports.taken = map[int]bool{victim.Port: true}
	h.advance(h.instances("invoice")[0].NextStart.Sub(h.clock.Now()))
	for _, in := range h.instances("invoice") {
		if in.ID == victim.ID && (in.State != store.InstanceRunning || in.Port == victim.Port || in.Crashes != 1) {
			t.Fatalf("restart: %s on port %d (was %d), %d crashes; want Running on another port, the one crash", in.State, in.Port, victim.Port, in.Crashes)
		}
	}
}
