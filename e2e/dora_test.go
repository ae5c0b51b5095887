package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// doraSpec is one service, order, built from commit %[2]s made at %[3]s;
// %[4]s is extra env (NEVER_READY makes the revision fail its deadline).
const doraSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: %[1]s, commit: %[2]s, commitTime: "%[3]s"}
    env: {VERSION: %[1]s%[4]s}
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: 4s}
`

// TestDORAMetrics deploys v1 and v2 (good), v3 (never ready: rolled back
// by its progress deadline), opens an incident caused by v2 and resolves
// it, then checks `slipway dora -o json` against the event log's times.
func TestDORAMetrics(t *testing.T) {
	dir := specDir(t)
	srv := startServer(t, t.TempDir())
	now := time.Now().UTC().Truncate(time.Second)
	commits := map[string]time.Time{"aaaaaaa1": now.Add(-3 * time.Hour), "bbbbbbb2": now.Add(-time.Hour), "ccccccc3": now.Add(-time.Minute)}
	apply := func(version, commit, env string) result {
		spec := fmt.Sprintf(doraSpec, version, commit, commits[commit].Format(time.RFC3339), env)
		file := writeSpec(t, dir, "slipway.yaml", spec)
		return srv.cli("apply", "-f", file, "--wait", "--timeout", "60s")
	}
	for _, v := range [][2]string{{"v1", "aaaaaaa1"}, {"v2", "bbbbbbb2"}} {
		if r := apply(v[0], v[1], ""); r.code != 0 {
			t.Fatalf("apply %s: %s", v[0], r)
		}
	}
	if r := apply("v3", "ccccccc3", `, NEVER_READY: "1"`); r.code == 0 {
		t.Fatalf("apply of a never-ready v3 succeeded:\n%s", r)
	}
	srv.waitConverged(15*time.Second, map[string]int{"order": 1})
	open := srv.mustCLI("incident", "open", "order", "--caused-by", "2", "--title", "slow checkout")
	if !strings.Contains(open.stdout, "incident 1 opened on order (default), caused by revision 2") {
		t.Errorf("incident open said: %s", open)
	}
	srv.mustCLI("incident", "resolve", "1")
	if again := srv.cli("incident", "resolve", "1"); again.code == 0 || !strings.Contains(again.stderr, "already resolved") {
		t.Errorf("resolving twice: %s", again)
	}

	var got api.DORA
	r := srv.mustCLI("dora", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("dora -o json: %v\n%s", err, r)
	}
	want := expectedDORA(t, srv.events(), commits)
	checkDORA(t, got, want)
	text := srv.mustCLI("dora", "--window", "1d").stdout
	t.Logf("slipway dora --window 1d:\n%s", text)
	for _, s := range []string{"2024", "order", "67% (2 of 3)", "rollout failed", "incident 1", "incident resolved"} {
		if !strings.Contains(text, s) {
			t.Errorf("dora text does not show %q:\n%s", s, text)
		}
	}
}

// doraFigures are the figures the timeline implies.
type doraFigures struct {
	deployments, changes, failures int
	lead                           []time.Duration
	recovery                       []time.Duration
}

// expectedDORA works the figures out from the event log: the first two
// service.rollout.succeeded events are v1 and v2 running (lead time from
// their commits); v3's service.rollout.failed is a failure that ends when
// its revert converges (the next service.rollout.succeeded); the
// incident on v2 lasts from opened to resolved.
func expectedDORA(t *testing.T, evs []api.Event, commits map[string]time.Time) doraFigures {
	t.Helper()
	var f doraFigures
	var failedAt, openedAt time.Time
	succeeded := 0
	for _, e := range evs {
		switch e.Type {
		case "service.rollout.succeeded":
			succeeded++
			switch {
			case succeeded <= 2:
				commit := map[int]string{1: "aaaaaaa1", 2: "bbbbbbb2"}[succeeded]
				f.lead = append(f.lead, e.Time.Sub(commits[commit]))
			case !failedAt.IsZero() && len(f.recovery) == 0:
				f.recovery = append(f.recovery, e.Time.Sub(failedAt))
			}
		case "service.rollout.failed":
			failedAt = e.Time
		case "incident.opened":
			openedAt = e.Time
		case "incident.resolved":
			f.recovery = append(f.recovery, e.Time.Sub(openedAt))
		}
	}
	if succeeded != 3 || failedAt.IsZero() || len(f.recovery) != 2 {
		t.Fatalf("the timeline is not v1, v2, v3 failed and reverted, an incident: %v", eventTypes(evs))
	}
	f.deployments, f.changes, f.failures = 2, 3, 2
	return f
}

func checkDORA(t *testing.T, got api.DORA, want doraFigures) {
	t.Helper()
	if got.Env != "default" || !got.Production || got.Window != "90d" || got.LevelsYear != 2024 || len(got.Services) != 1 {
		t.Errorf("report: env %q production %v window %q levels %d services %d", got.Env, got.Production, got.Window, got.LevelsYear, len(got.Services))
	}
	m := got.Total
	if m.Deployments != want.deployments || m.Changes != want.changes || m.ChangeFailures != want.failures {
		t.Errorf("deployments %d, changes %d, change failures %d; want %d, %d, %d",
			m.Deployments, m.Changes, m.ChangeFailures, want.deployments, want.changes, want.failures)
	}
	near := func(what string, got float64, want time.Duration) {
		if math.Abs(got-want.Seconds()) > 0.001 {
			t.Errorf("%s = %.3fs, want %.3fs", what, got, want.Seconds())
		}
	}
	lo, hi := min(want.lead[0], want.lead[1]), max(want.lead[0], want.lead[1])
	near("lead time median", m.LeadTime.MedianSeconds, (lo+hi)/2)
	near("lead time p90", m.LeadTime.P90Seconds, lo+time.Duration(0.9*float64(hi-lo)))
	near("recovery median", m.RecoveryTime.MedianSeconds, (want.recovery[0]+want.recovery[1])/2)
	if math.Abs(m.DeploymentsPerWeek-2.0*7/90) > 1e-9 || math.Abs(m.ChangeFailureRate-2.0/3) > 1e-9 || m.Unrecovered != 0 || m.Incidents != 1 {
		t.Errorf("per week %v, change failure rate %v, unrecovered %d, incidents %d", m.DeploymentsPerWeek, m.ChangeFailureRate, m.Unrecovered, m.Incidents)
	}
	causes := map[string]int{}
	for _, f := range m.Failures {
		causes[fmt.Sprintf("r%d %s -> %s", f.Revision, f.Cause, f.RecoveredBy)]++
	}
	if causes["r3 rollout failed -> rollback"] != 1 || causes["r2 incident -> incident resolved"] != 1 {
		t.Errorf("failures %+v", m.Failures)
	}
	// Elite for lead time (hours) and recovery (seconds); 2 deployments in
	// 90 days is low frequency, 67% failures low: low overall.
	if m.Level != "low" || m.Levels.LeadTime != "elite" || m.Levels.RecoveryTime != "elite" || m.Levels.DeploymentFrequency != "low" {
		t.Errorf("levels %q %+v", m.Level, m.Levels)
	}
}
