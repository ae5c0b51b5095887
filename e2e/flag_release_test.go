package e2e

// A progressive flag release end to end: the flag's share rises once
// the service that reads it is stable, while the router's own success
// rate of that service is judged; a service that fails requests flips
// the flag back to 0% on its own.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// releaseApp is the shop service (env: its env map's body) and a flag
// released progressively while shop's success rate holds.
func releaseApp(env string) string {
	return shopSpec("release", env, "rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: 20s}") + `flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    progressive:
      service: shop
      steps: [{percent: 30, bake: 3s}, {percent: 100}]
      analysis:
        interval: 1s
        metrics:
          - {name: shop-ok, provider: router, metric: successRate, successCondition: "result >= 0.99"}
`
}

func (a *zdApp) flag(t *testing.T, key string) api.Flag {
	t.Helper()
	var f api.Flag
	if err := a.srv.getJSON("/v1/flags/"+key, &f); err != nil {
		t.Fatalf("GET flag %s: %v", key, err)
	}
	return f
}

func TestFlagReleasedProgressively(t *testing.T) {
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.deploy(releaseApp("VERSION: v1"))
	l := a.startLoad(loadLimit)
	defer l.stop()
	waitFor(t, 30*time.Second, "the flag released to everyone", func() (bool, string) {
		f := a.flag(t, "new-checkout")
		return f.Release != nil && f.Release.Outcome == "Promoted", describeFlag(f)
	})
	f := a.flag(t, "new-checkout")
	if f.Rollout["on"] != 100 || !strings.Contains(f.Release.Reason, "every step passed") {
		t.Errorf("after the release: %s", describeFlag(f))
	}
}

func TestFlagReleaseFlipsBackWhenTheServiceFails(t *testing.T) {
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.file = writeSpec(t, a.dir, "slipway.yaml", releaseApp(`VERSION: v1, FAIL_RATE: "0.2"`))
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s") // it fails a fifth of its requests: not a v1 that serves
	l := a.startLoad(loadLimit)
	defer l.stop()
	waitFor(t, 30*time.Second, "the flag flipped back", func() (bool, string) {
		f := a.flag(t, "new-checkout")
		return f.Release != nil && f.Release.Outcome == "RolledBack", describeFlag(f)
	})
	f := a.flag(t, "new-checkout")
	if f.Rollout["on"] != 0 || !strings.Contains(f.Release.Reason, "shop-ok") {
		t.Errorf("after the flip back: %s", describeFlag(f))
	}
	if !hasEvent(a.srv.events(), "", "flag.release.rolled_back") {
		t.Errorf("no flag.release.rolled_back event: %v", eventTypes(a.srv.events()))
	}
}

func describeFlag(f api.Flag) string {
	b, _ := json.Marshal(f)
	return string(b)
}
