package e2e

// Parallel run end to end: the candidate gets a copy of live requests
// through the real router while every user is answered by stable; the
// answers are compared (the instance name differs between any two
// instances: noise, cancelled by the second stable answer), and the run
// promotes a candidate that answers alike and rejects one that fails
// 20% of requests, without a single user request failing either way.

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

const parallelStrategy = `parallelRun: {duration: 4s, minRequests: 50, maxMismatchRate: 0.05, progressDeadline: 20s, compare: {ignoreJsonPaths: [$.version, $.revision]}}`

func startParallelApp(t *testing.T) *zdApp {
	t.Helper()
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.deploy(shopSpec("parallel", "VERSION: v1", parallelStrategy))
	return a
}

func TestParallelRunPromotesAMatchingCandidate(t *testing.T) {
	a := startParallelApp(t)
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	spec := shopSpec("parallel", "VERSION: v2", parallelStrategy)
	r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", spec), "--wait", "--timeout", "60s")
	res, took := l.stop()
	if r.code != 0 {
		t.Fatalf("apply v2 --wait: %s\n%s", r, describe(a.srv.service("shop")))
	}
	checkNoFailures(t, "parallel run promoted", res, took, l.probe)
	p := a.srv.service("shop").ParallelRun
	if p == nil || p.Outcome != "Promoted" || p.Report == nil || p.Report.Compared < 50 {
		t.Fatalf("parallel run %+v: want promoted after at least 50 compared requests", p)
	}
	if p.Report.Mismatched != 0 {
		t.Errorf("%d mismatched of %d; the instance field must be cancelled as noise: %+v", p.Report.Mismatched, p.Report.Compared, p.Report.Routes)
	}
	// Users saw v2 only once it was promoted: never during the run.
	if at, ok := firstAnswer(l.probe.probeChanges(), "v2"); ok && l.start.Add(at).Before(p.Ended.Add(-50*time.Millisecond)) {
		t.Errorf("a user was answered by v2 at +%s, before the run ended at +%s", at, p.Ended.Sub(l.start))
	}
	a.checkServes("v2", 30)
}

func TestParallelRunRejectsADifferentCandidateWithoutUsersNoticing(t *testing.T) {
	a := startParallelApp(t)
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	spec := shopSpec("parallel", `VERSION: v2, FAIL_RATE: "0.2"`, parallelStrategy)
	r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", spec), "--wait", "--timeout", "60s")
	res, took := l.stop()
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "answers differ") {
		t.Fatalf("apply of a candidate failing 20%%: want it rejected because its answers differ; got %s", r)
	}
	checkNoFailures(t, "parallel run rejected", res, took, l.probe)
	if seen := l.probe.seen(); seen["v2"] != 0 {
		t.Errorf("users were answered by the candidate %d times: it must only get copies", seen["v2"])
	}
	svc := a.srv.service("shop")
	p := svc.ParallelRun
	if svc.Revision != 1 || p == nil || p.Outcome != "RolledBack" || p.Report == nil || len(p.Report.Routes) == 0 {
		t.Fatalf("after the run: %s run %+v", describe(svc), p)
	}
	var status *api.MirrorField
	for i, f := range p.Report.Routes[0].Fields {
		if f.Field == "status" {
			status = &p.Report.Routes[0].Fields[i]
		}
	}
	if status == nil || !status.Mismatch || len(status.Samples) == 0 || status.Rate < 0.1 || status.Rate > 0.35 {
		t.Errorf("status field %+v of %+v: want it differing in about 20%% of requests, with samples", status, p.Report.Routes[0].Fields)
	}
	a.checkServes("v1", 30)
}

// firstAnswer returns when the prober first saw version, after the start
// of its load ("v2 at +4.782s").
func firstAnswer(changes []string, version string) (time.Duration, bool) {
	for _, c := range changes {
		if at, ok := strings.CutPrefix(c, version+" at +"); ok {
			d, err := time.ParseDuration(at)
			return d, err == nil
		}
	}
	return 0, false
}
