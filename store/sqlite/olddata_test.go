package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/store"
)

// oldRelease is the data folder written by the release of November 2026
// (testdata/release-2026-11/README.md says how).
const oldRelease = "testdata/release-2026-11/data"

// openOld copies the database at rel (under oldRelease) to a temporary
// directory, opens it with today's Open (which migrates it) and checks
// its schema is today's.
func openOld(t *testing.T, rel string) *Store {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(oldRelease, rel))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "slipway.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open %s of the old release: %v", rel, err)
	}
	t.Cleanup(func() { s.Close() })
	var v int
	if err := s.r.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
		t.Fatalf("%s: schema version %d (%v) after Open, want %d", rel, v, err, len(migrations))
	}
	return s
}

// view runs fn in a View of s, failing the test on its error.
func view(t *testing.T, s *Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestOldDocumentsReadAndWriteBackUnchanged reads every document of every
// table of the old release's databases and checks that writing the
// record back gives the very same document: nothing the old release
// stored is lost or changed by today's code.
func TestOldDocumentsReadAndWriteBackUnchanged(t *testing.T) {
	for _, rel := range []string{"slipway.db", "envs/dev/slipway.db", "envs/staging/slipway.db"} {
		s := openOld(t, rel)
		for table, check := range map[string]func([]byte) ([]byte, error){
			"app": rewrite(appCodec), "services": rewrite(serviceCodec), "revisions": rewrite(revisionCodec),
			"instances": rewrite(instanceCodec), "operations": rewrite(operationCodec), "events": rewrite(eventCodec),
			"flag_configs": rewrite(flagConfigCodec), "versions": rewrite(versionCodec),
			"promotions": rewrite(promotionCodec),
		} {
			rows, err := s.r.Query(`SELECT data FROM ` + table)
			if err != nil {
				t.Fatalf("%s: %s: %v", rel, table, err)
			}
			for rows.Next() {
				var old []byte
				if err := rows.Scan(&old); err != nil {
					t.Fatal(err)
				}
				again, err := check(old)
				if err != nil {
					t.Errorf("%s: %s: %v\n%s", rel, table, err, old)
				} else if !bytes.Equal(again, old) {
					t.Errorf("%s: %s: written back differently\n old: %s\n now: %s", rel, table, old, again)
				}
			}
			rows.Close()
		}
	}
}

// rewrite decodes a stored document with c and encodes the record again.
func rewrite[R, D any](c codec[R, D]) func([]byte) ([]byte, error) {
	return func(b []byte) ([]byte, error) {
		r, err := c.decode(b, nil)
		if err != nil {
			return nil, err
		}
		s, err := c.encode(r)
		return []byte(s), err
	}
}

func TestOldReleaseDefaultEnvironment(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		app, err := tx.GetApp()
		if err != nil || app.Name != "shop" || app.File != "shop.yaml" || !strings.Contains(app.Spec, "fast-search") {
			t.Errorf("app: %+v, %v", app, err)
		}
		checkOldServices(t, tx)
		checkOldRevisions(t, tx)
		checkOldOperations(t, tx)
		checkOldEvents(t, tx)
		is, err := tx.ListInstances("")
		if err != nil || len(is) != 8 {
			t.Errorf("instances: %d, %v; want the 8 records the old server left", len(is), err)
		}
		return nil
	})
}

func checkOldServices(t *testing.T, tx store.Tx) {
	t.Helper()
	api, err := tx.GetService("api")
	if err != nil || api.Revision != 2 || api.Stable != 2 || api.Phase != store.PhaseReady || api.Traffic.Active != 2 {
		t.Fatalf("api: %+v, %v", api, err)
	}
	checkOldCanary(t, api.Canary)
	search, err := tx.GetService("search")
	if err != nil {
		t.Fatal(err)
	}
	p := search.ParallelRun
	if p == nil || p.Revision != 2 || p.Stable != 1 || p.Outcome != store.CanaryPromoted ||
		p.Verdict.Outcome != mirror.Passed || p.Report == nil || p.Report.Compared != 126 ||
		len(p.Report.Routes) != 1 || p.Report.Routes[0].Route != "GET /" || p.Started.IsZero() || p.Ended.IsZero() {
		t.Errorf("search's parallel run: %+v", p)
	}
	web, err := tx.GetService("web")
	if err != nil || web.Revision != 2 || web.Stable != 2 || web.Keep != 1 || web.KeepUntil.IsZero() || web.Traffic.Active != 2 {
		t.Errorf("web (blue/green, revision 1 kept): %+v, %v", web, err)
	}
}

// checkOldCanary checks api's canary: revision 3's, rolled back by its
// analysis, every measurement kept.
func checkOldCanary(t *testing.T, c *store.Canary) {
	t.Helper()
	if c == nil || c.Revision != 3 || c.Stable != 2 || c.Outcome != store.CanaryRolledBack ||
		!strings.Contains(c.Reason, "success-rate") || c.Analysis == nil || c.StepAnalysis == nil {
		t.Fatalf("api's canary: %+v", c)
	}
	m := c.Analysis.Metrics
	if len(m) != 2 || m[0].Name != "success-rate" || m[1].Name != "latency" || c.Analysis.Phase != analysis.PhaseFailed {
		t.Fatalf("api's canary analysis: %+v", c.Analysis)
	}
	if m[0].Tally.Phase != analysis.PhaseFailed || m[0].Tally.Failures != 1 || len(m[0].Measurements) != 1 {
		t.Errorf("success-rate: %+v", m[0])
	}
	if got := m[0].Measurements[0]; got.Verdict != analysis.Fail || got.Value >= 0.95 || got.Samples == 0 ||
		!strings.Contains(got.Reason, "does not meet result >= 0.95") || got.Time.IsZero() {
		t.Errorf("success-rate's measurement: %+v", got)
	}
}

func checkOldRevisions(t *testing.T, tx store.Tx) {
	t.Helper()
	revs, err := tx.ListRevisions("api")
	if err != nil || len(revs) != 3 {
		t.Fatalf("api's revisions: %d, %v", len(revs), err)
	}
	for i, want := range []store.RevisionState{store.RevisionSuperseded, store.RevisionStable, store.RevisionRolledBack} {
		if revs[i].State != want || revs[i].Number != i+1 {
			t.Errorf("api revision %d: %d %s, want %s", i+1, revs[i].Number, revs[i].State, want)
		}
	}
	sp := revs[2].Spec
	c := sp.Strategy.Canary
	if sp.Env["FAIL_RATE"] != "0.5" || sp.Replicas() != 2 || sp.Route.Host != "api.localhost" ||
		sp.Health.Readiness == nil || sp.Health.Readiness.Interval.Duration != 200*time.Millisecond ||
		sp.Artifact == nil || sp.Artifact.Version != "v3" || !strings.HasPrefix(sp.Artifact.Digest, "sha256:5cf1c015") ||
		sp.Image != "" || sp.Command != nil || sp.StopGrace.Duration != 2*time.Second || c == nil || c.Stickiness == nil || c.Stickiness.Header != "X-User-Id" ||
		len(c.Steps) != 4 || *c.Steps[0].SetWeight != 50 || c.Steps[1].SetHeaderRoute.Value != "yes" ||
		c.Steps[2].Analysis.Count != 2 || c.Steps[3].Pause.Duration.Duration != time.Second ||
		c.Analysis == nil || len(c.Analysis.Metrics) != 2 || c.Analysis.Metrics[1].Compare != "baseline" {
		t.Errorf("api revision 3's spec: %+v, canary %+v", sp, c)
	}
	web, err := tx.GetRevision("web", 1)
	if bg := web.Spec.Strategy.BlueGreen; err != nil || bg == nil || bg.ScaleDownDelay.Duration != time.Hour ||
		strings.Join(web.Spec.Run, " ") != "python3 -m http.server ${PORT}" || web.Spec.Health.Liveness == nil ||
		web.Spec.Health.Liveness.Interval.Duration != 5*time.Second || web.Spec.DependsOn[0] != "api" {
		t.Errorf("web revision 1: %+v, %v", web, err)
	}
	search, err := tx.GetRevision("search", 2)
	if pr := search.Spec.Strategy.ParallelRun; err != nil || pr == nil || pr.MinRequests != 20 ||
		strings.Join(pr.Compare.IgnoreJSONPaths, ",") != "$.version,$.instance" || pr.Duration.Duration != 4*time.Second {
		t.Errorf("search revision 2: %+v, %v", search, err)
	}
}

func checkOldOperations(t *testing.T, tx store.Tx) {
	t.Helper()
	ops, err := tx.ListOperations(false, 0)
	if err != nil || len(ops) != 5 {
		t.Fatalf("operations: %d, %v", len(ops), err)
	}
	if op := ops[2]; op.ID != 3 || op.State != store.OperationRolledBack || op.Failure == nil ||
		op.Failure.Service != "api" || len(op.Changes) != 1 || op.Changes[0].To != 3 || !op.Changes[0].Reverted {
		t.Errorf("operation 3: %+v", op)
	}
}

func checkOldEvents(t *testing.T, tx store.Tx) {
	t.Helper()
	evs, err := tx.ListEvents(0, "", 0)
	if err != nil || len(evs) != 110 {
		t.Fatalf("events: %d, %v; want 110", len(evs), err)
	}
	if evs[0].Seq != 1 || evs[109].Seq != 110 || evs[0].Time.IsZero() || evs[0].Message == "" {
		t.Errorf("events from %+v to %+v", evs[0], evs[109])
	}
	rb, err := tx.ListEventsOfType(0, []store.EventType{store.EventCanaryRolledBack, store.EventIncidentOpened}, 0)
	if err != nil || len(rb) != 2 || rb[0].Service != "api" || rb[0].Revision != 3 || len(rb[0].Data) == 0 {
		t.Errorf("canary rollback and incident events: %+v, %v", rb, err)
	}
}

// TestOldReleaseComparisonKeepsItsJudge: the old release's api revision
// compares latencyP99 with baseline, written before judges existed. Read
// today and brought up to date with ApplyDefaults (as the rollout
// controller and stack do), it keeps the interval judge it was created
// with: the sequential default is for specs parsed now.
func TestOldReleaseComparisonKeepsItsJudge(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		for n := 1; n <= 3; n++ {
			r, err := tx.GetRevision("api", n)
			if err != nil {
				return err
			}
			r.Spec.ApplyDefaults()
			m := r.Spec.Strategy.Canary.Analysis.Metrics[1]
			if !m.Compares() || m.Judge != "" || m.Sequential() || m.Alpha != 0 || m.Floor != 0.05 {
				t.Errorf("api revision %d's %s: judge %q, alpha %v, sequential %v; want the interval judge it was created with",
					n, m.Name, m.Judge, m.Alpha, m.Sequential())
			}
		}
		return nil
	})
}

// TestOldReleaseMeasurementsHaveNoSpreads: measurements written before
// comparisons kept their two samples' spreads read with none (the
// dashboard then draws the medians it has), everything else intact.
func TestOldReleaseMeasurementsHaveNoSpreads(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		svc, err := tx.GetService("api")
		if err != nil {
			return err
		}
		if svc.Canary == nil || svc.Canary.Analysis == nil {
			t.Fatalf("the old release's api canary has no analysis: %+v", svc.Canary)
		}
		n := 0
		for _, m := range svc.Canary.Analysis.Metrics {
			for _, x := range m.Measurements {
				n++
				if x.Spreads != nil || x.Reason == "" || x.Metric != m.Name {
					t.Errorf("old measurement of %s: %+v; want its reason and no spreads", m.Name, x)
				}
			}
		}
		if n == 0 {
			t.Error("the old release's api canary kept no measurements")
		}
		return nil
	})
}
