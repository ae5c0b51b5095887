package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// TestPipelinePromotesTheSameArtifact pushes v1, deploys it to dev and
// promotes it to staging (an acceptance script must pass against dev)
// and to prod (a person approves, then it bakes in staging), and checks
// prod runs the very file dev ran. v2 follows the same path; v3 passes
// dev and staging but cannot start with prod's settings: its promotion
// fails and prod goes back to v2. The DORA report of prod is then
// checked against prod's event log.
func TestPipelinePromotesTheSameArtifact(t *testing.T) {
	p := newPipelineApp(t, fmt.Sprintf(pipelineSpec, ""))
	p.applyAll("dev", "staging", "prod")
	now := time.Now().UTC().Truncate(time.Second)
	commits := map[string]pushedCommit{
		"v1": {"aaaaaaa1", now.Add(-3 * time.Hour)},
		"v2": {"bbbbbbb2", now.Add(-time.Hour)},
		"v3": {"ccccccc3", now.Add(-10 * time.Minute)},
	}

	v1 := p.binaryArtifact("v1")
	p.push(v1, "v1", commits["v1"])
	p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "dev", "--wait", "--timeout", "50s")
	staged := p.promoteWait("dev", "staging")
	checkAcceptanceGate(t, staged, p.routerOf("dev"), "v1")

	first := p.promoteIntoProd("v1")
	checkProdGates(t, p, first, staged)
	p.checkRuns("prod", "v1", v1, first.Revision, 2)
	devV1 := p.currentRevision("dev")
	if devV1.Digest != first.Digest || devV1.Version != "v1" {
		t.Errorf("dev runs %s (%s), prod %s (%s): not the same artifact", devV1.Version, devV1.Digest, first.Version, first.Digest)
	}

	v2 := p.binaryArtifact("v2")
	p.push(v2, "v2", commits["v2"])
	second := p.release("v2")
	p.checkRuns("prod", "v2", v2, second.Revision, 2)

	v3 := p.brokenInProdArtifact("v3")
	p.push(v3, "v3", commits["v3"])
	third := p.release("v3")
	if third.State != "Failed" || !strings.Contains(third.Reason, "the rollout in prod failed") {
		t.Fatalf("v3's promotion into prod: %s: %s; want Failed, the rollout in prod failed", third.State, third.Reason)
	}
	p.checkRuns("prod", "v2", v2, second.Revision, 2)
	if revs := p.revisions("prod"); third.Revision < 1 || third.Revision > len(revs) || revs[third.Revision-1].State != "RolledBack" {
		t.Errorf("prod's revisions after v3 failed: %+v; want revision %d RolledBack", revs, third.Revision)
	}
	if st := p.stage("staging"); st.Version != "v3" {
		t.Errorf("staging runs %q, want v3 (it is only prod's settings v3 cannot run with)", st.Version)
	}

	want := expectedProdDORA(t, p.srv.envEvents("prod"), commits, first, second, third)
	checkProdDORA(t, p.dora("prod"), want)
}

// pushedCommit is the commit a pushed version is built from.
type pushedCommit struct {
	id   string
	when time.Time
}

// checkAcceptanceGate checks that the tests gate of a promotion into
// staging passed and kept the script's output, which shows the
// environment the script was given.
func checkAcceptanceGate(t *testing.T, p api.Promotion, devRouter, version string) {
	t.Helper()
	if len(p.Gates) != 1 {
		t.Fatalf("promotion into staging has gates %+v, want one tests gate", p.Gates)
	}
	g := p.Gates[0]
	if g.Kind != "tests" || g.State != "Passed" || g.ExitCode != 0 {
		t.Errorf("tests gate: kind %q state %q exit %d reason %q", g.Kind, g.State, g.ExitCode, g.Reason)
	}
	for _, s := range []string{
		fmt.Sprintf("acceptance of order %s (%s) in dev for staging at %s", version, p.Digest, devRouter),
		"ok", // the service's /healthz, reached through dev's router
		"acceptance passed: " + version,
	} {
		if !strings.Contains(g.Output, s) {
			t.Errorf("tests gate output does not show %q:\n%s", s, g.Output)
		}
	}
}

// checkProdGates checks the approval and bake gates of the first
// promotion into prod: approved by ana, then baked in staging for at
// least the bake time after v1's rollout there succeeded.
func checkProdGates(t *testing.T, p *pipelineApp, prod, staged api.Promotion) {
	t.Helper()
	if len(prod.Gates) != 2 {
		t.Fatalf("promotion into prod has gates %+v, want approval and bake", prod.Gates)
	}
	approval, bake := prod.Gates[0], prod.Gates[1]
	if approval.Kind != "approval" || approval.State != "Passed" || approval.ApprovedBy != "token:admin" { // the credentials, not --by ana
		t.Errorf("approval gate: %+v", approval)
	}
	if bake.Kind != "bake" || bake.State != "Passed" || !strings.Contains(bake.Reason, "healthy in staging") {
		t.Errorf("bake gate: %+v", bake)
	}
	ready := rolloutSucceeded(p.srv.envEvents("staging"), staged.Revision)
	if ready.IsZero() {
		t.Fatalf("no service.rollout.succeeded of revision %d in staging's events", staged.Revision)
	}
	if baked := bake.EndedAt.Sub(ready); baked < 2*time.Second {
		t.Errorf("bake gate passed %s after v1 was ready in staging, before its 2s", baked)
	}
	if prod.DeployStartedAt.Before(bake.EndedAt) {
		t.Errorf("prod's rollout started at %s, before the bake ended at %s", prod.DeployStartedAt, bake.EndedAt)
	}
}

// rolloutSucceeded is when a revision's rollout first succeeded (a
// revert to it succeeds again later).
func rolloutSucceeded(evs []api.Event, revision int) time.Time {
	for _, e := range evs {
		if e.Type == "service.rollout.succeeded" && e.Service == "order" && e.Revision == revision {
			return e.Time
		}
	}
	return time.Time{}
}

// prodDORA are the figures prod's event log implies.
type prodDORA struct {
	lead     []time.Duration // v1, v2
	recovery time.Duration   // v3 failed -> v2 running again
	failed   int             // v3's revision
}

// expectedProdDORA reads prod's timeline: the apply that created prod
// (an artifact with no commit), v1 and v2 are deployments, v3's failed
// rollout a change failure recovered when its revert converged. Lead
// time runs from each commit to its rollout's success in prod.
func expectedProdDORA(t *testing.T, evs []api.Event, commits map[string]pushedCommit, v1, v2, v3 api.Promotion) prodDORA {
	t.Helper()
	want := prodDORA{failed: v3.Revision}
	for _, p := range []api.Promotion{v1, v2} {
		at := rolloutSucceeded(evs, p.Revision)
		if at.IsZero() {
			t.Fatalf("no service.rollout.succeeded of revision %d (%s) in prod: %v", p.Revision, p.Version, eventTypes(evs))
		}
		lead := at.Sub(commits[p.Version].when)
		want.lead = append(want.lead, lead)
		t.Logf("timeline: %s commit %s at %s, running in prod at %s: lead time %s",
			p.Version, commits[p.Version].id, commits[p.Version].when.Format(time.RFC3339), at.Format(time.RFC3339Nano), lead)
	}
	var failedAt time.Time
	for _, e := range evs {
		switch {
		case e.Type == "service.rollout.failed" && e.Revision == v3.Revision:
			failedAt = e.Time
		case e.Type == "service.rollout.succeeded" && !failedAt.IsZero() && want.recovery == 0:
			want.recovery = e.Time.Sub(failedAt)
			t.Logf("timeline: v3 (revision %d) failed in prod at %s, revision %d running again at %s: recovery %s",
				v3.Revision, failedAt.Format(time.RFC3339Nano), e.Revision, e.Time.Format(time.RFC3339Nano), want.recovery)
		}
	}
	if failedAt.IsZero() || want.recovery == 0 {
		t.Fatalf("prod's timeline has no failed v3 rollout followed by a recovery: %v", eventTypes(evs))
	}
	return want
}

// checkProdDORA compares `slipway dora --env prod` with the timeline,
// within 2s for durations.
func checkProdDORA(t *testing.T, got api.DORA, want prodDORA) {
	t.Helper()
	m := got.Total
	t.Logf("dora prod: %d deployments, %d changes, %d failures (rate %.2f), lead time median %.1fs p90 %.1fs (%d), recovery median %.3fs (%d)",
		m.Deployments, m.Changes, m.ChangeFailures, m.ChangeFailureRate, m.LeadTime.MedianSeconds, m.LeadTime.P90Seconds,
		m.LeadTime.Count, m.RecoveryTime.MedianSeconds, m.RecoveryTime.Count)
	if got.Env != "prod" || !got.Production {
		t.Errorf("dora report of env %q production %v, want prod, production", got.Env, got.Production)
	}
	// The apply that created prod, v1 and v2 succeeded; v3 failed.
	if m.Deployments != 3 || m.Changes != 4 || m.ChangeFailures != 1 || math.Abs(m.ChangeFailureRate-0.25) > 1e-9 {
		t.Errorf("deployments %d, changes %d, change failures %d, rate %v; want 3, 4, 1, 0.25",
			m.Deployments, m.Changes, m.ChangeFailures, m.ChangeFailureRate)
	}
	near := func(what string, got float64, want time.Duration) {
		if math.Abs(got-want.Seconds()) > 2 {
			t.Errorf("%s = %.3fs, want %.3fs (within 2s)", what, got, want.Seconds())
		}
	}
	if m.LeadTime.Count != 2 {
		t.Errorf("lead time of %d commits, want 2 (v1's and v2's)", m.LeadTime.Count)
	}
	near("lead time median", m.LeadTime.MedianSeconds, (want.lead[0]+want.lead[1])/2)
	if m.RecoveryTime.Count != 1 || m.Unrecovered != 0 {
		t.Errorf("recovery times %d, unrecovered %d; want 1, 0", m.RecoveryTime.Count, m.Unrecovered)
	}
	near("recovery median", m.RecoveryTime.MedianSeconds, want.recovery)
	if len(m.Failures) != 1 || m.Failures[0].Revision != want.failed || m.Failures[0].Cause != "rollout failed" || m.Failures[0].RecoveredBy != "rollback" {
		t.Errorf("failures %+v; want revision %d, rollout failed, recovered by rollback", m.Failures, want.failed)
	}
}
