package e2e

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// sickSpec runs a real process that passes readiness for 5s, fails it
// for 8s (its work directory holds "sick"), then passes again.
const sickSpec = `app: sick
services:
  web:
    run: ["sh", "-c", "sleep 5; touch sick; sleep 8; rm sick; exec sleep 3600"]
    instances: 1
    health:
      readiness: {exec: ["sh", "-c", "test ! -e sick"], interval: 200ms, failureThreshold: 1}
`

// TestUnhealthyServiceIsNotedOnce: with --unhealthy-after 2s, the 8s
// spell writes one service.unhealthy (after the instance.unready that
// began it), and one service.recovered when the check passes again.
func TestUnhealthyServiceIsNotedOnce(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--unhealthy-after", "2s")
	file := writeSpec(t, t.TempDir(), "slipway.yaml", sickSpec)
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	var evs []api.Event
	waitFor(t, 40*time.Second, "service.recovered", func() (bool, string) {
		evs = srv.events()
		return hasEvent(evs, "web", "service.recovered"), ""
	})
	count := map[string]int{}
	var order []string
	for _, e := range evs {
		if e.Service != "web" {
			continue
		}
		switch e.Type {
		case "instance.unready", "service.unhealthy", "instance.ready", "service.recovered":
			count[e.Type]++
			order = append(order, e.Type)
		}
	}
	if count["service.unhealthy"] != 1 || count["service.recovered"] != 1 {
		t.Fatalf("health events %v, want exactly one service.unhealthy and one service.recovered", order)
	}
	unready, unhealthy, recovered := -1, -1, -1
	for i, ty := range order {
		switch {
		case ty == "instance.unready" && unready < 0:
			unready = i
		case ty == "service.unhealthy":
			unhealthy = i
		case ty == "service.recovered":
			recovered = i
		}
	}
	if unready < 0 || unready >= unhealthy || unhealthy >= recovered {
		t.Errorf("health events in order %v: want instance.unready, then service.unhealthy, then service.recovered", order)
	}
	for _, e := range evs {
		if e.Type == "service.unhealthy" && len(e.Data) == 0 {
			t.Errorf("service.unhealthy without data: %+v", e)
		}
	}
}
