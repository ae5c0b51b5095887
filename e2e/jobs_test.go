package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// jobsSpec is one service that serves a "database" folder (db) and
// is ready only once its revision's schema file exists: only a
// successful migration (its before-rollout job) makes it ready. Every
// migration appends a line to db/count, so that runs can be counted.
const jobsSpec = `app: shop
services:
  web:
    run: ["python3", "-m", "http.server", "${PORT}", "--bind", "127.0.0.1", "--directory", "%[1]s"]
    env: {RELEASE: "%[2]s"}
    health:
      readiness: {http: /schema-%[2]s, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: 15s}
    jobs:
      migrate: {run: ["sh", "-c", "%[3]s"], before: rollout, timeout: %[4]s}
      warm: {run: ["sh", "-c", "echo warm-${RELEASE} > %[1]s/warm-${RELEASE}"], after: ready}
`

// jobsDB makes a folder every instance's user can write (the jobs and
// instances run as the service's own unprivileged user).
func jobsDB(t *testing.T) string {
	t.Helper()
	db, err := os.MkdirTemp("", "slipway-e2e-db-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(db) })
	if err := os.Chmod(db, 0o777); err != nil {
		t.Fatal(err)
	}
	return db
}

// migration is a migrate command that records its run and writes the
// revision's schema.
func migration(db string) string {
	return fmt.Sprintf("echo run >> %[1]s/count; echo migrated-$RELEASE > %[1]s/schema-$RELEASE; echo migrated to $RELEASE", db)
}

func countRuns(t *testing.T, db string) int {
	b, err := os.ReadFile(filepath.Join(db, "count"))
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "run")
}

func TestJobsAroundARelease(t *testing.T) {
	db := jobsDB(t)
	dir := specDir(t)
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(jobsSpec, db, "1", migration(db), "30s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "60s")
	if n := countRuns(t, db); n != 1 {
		t.Fatalf("migrate ran %d times for revision 1; want once (not per instance)", n)
	}
	code, body, err := httpDo("GET", "http://"+srv.router+"/schema-1", "", nil)
	if err != nil || code != 200 || strings.TrimSpace(body) != "migrated-1" {
		t.Fatalf("revision 1 does not see its migrated state: %d %q %v", code, body, err)
	}
	waitFor(t, 20*time.Second, "the after-ready job warm of revision 1", func() (bool, string) {
		_, err := os.Stat(filepath.Join(db, "warm-1"))
		return err == nil, fmt.Sprint(err)
	})
	stable := instancePIDs(srv.service("web"))

	t.Run("failed migration stops the rollout", func(t *testing.T) {
		writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(jobsSpec, db, "2", "echo cannot add column email; exit 3", "30s"))
		r := srv.cli("apply", "-f", file, "--wait", "--timeout", "60s")
		if r.code == 0 {
			t.Fatalf("apply with a failing migration succeeded:\n%s", r)
		}
		if !strings.Contains(r.stdout+r.stderr, "job migrate of revision 2 failed: exit status 3") ||
			!strings.Contains(r.stdout+r.stderr, "cannot add column email") {
			t.Errorf("apply does not give the job's failure and last lines:\n%s", r)
		}
		checkStableUntouched(t, srv, stable, 2)
	})
	t.Run("hanging migration times out", func(t *testing.T) {
		writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(jobsSpec, db, "3", "echo locking; sleep 300", "2s"))
		r := srv.cli("apply", "-f", file, "--wait", "--timeout", "60s")
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "job migrate of revision 3 failed: timed out after 2s") {
			t.Fatalf("apply with a hanging migration did not fail on its timeout:\n%s", r)
		}
		checkStableUntouched(t, srv, stable, 3)
		for _, pid := range pidsUnder(srv.data + "/instances") {
			if cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.Contains(string(cmd), "sleep") {
				t.Errorf("the timed-out job still runs (pid %d)", pid)
			}
		}
	})
	t.Run("new revision, rollback and a run by hand", func(t *testing.T) {
		writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(jobsSpec, db, "4", migration(db), "30s"))
		srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "60s")
		if n := countRuns(t, db); n != 2 {
			t.Fatalf("migrate ran %d times after revision 4; want 2", n)
		}
		srv.mustCLI("rollback", "web", "--to", "1", "--wait", "--timeout", "60s")
		if n := countRuns(t, db); n != 2 {
			t.Errorf("a rollback ran migrate again (%d runs)", n)
		}
		srv.mustCLI("job", "run", "web", "migrate")
		waitFor(t, 20*time.Second, "the run by hand", func() (bool, string) {
			n := countRuns(t, db)
			return n == 3, fmt.Sprintf("%d runs", n)
		})
		var list api.JobList
		waitFor(t, 10*time.Second, "the run by hand recorded", func() (bool, string) {
			err := srv.getJSON("/v1/services/web/jobs", &list)
			last := list.Runs[len(list.Runs)-1]
			return err == nil && last.State == "Succeeded" && last.When == "by hand", fmt.Sprintf("%+v %v", last, err)
		})
		out := srv.mustCLI("jobs", "web").stdout
		for _, want := range []string{"migrate  revision 2  before rollout  Failed", "cannot add column email", "timed out after 2s",
			"migrate  revision 4  before rollout  Succeeded", "migrated to 4", "by hand"} {
			if !strings.Contains(out, want) {
				t.Errorf("slipway jobs web lacks %q:\n%s", want, out)
			}
		}
	})
}

// checkStableUntouched checks that a failed rollout of revision rev left
// the stable revision's instances as they were and started none of rev.
func checkStableUntouched(t *testing.T, srv *server, stable map[string]int, rev int) {
	t.Helper()
	svc := srv.waitConverged(20*time.Second, map[string]int{"web": 1})[0]
	if svc.Revision != 1 || svc.Stable != 1 {
		t.Errorf("web on revision %d (stable %d) after a failed migration; want 1", svc.Revision, svc.Stable)
	}
	if got := instancePIDs(svc); fmt.Sprint(got) != fmt.Sprint(stable) {
		t.Errorf("stable instances %v changed to %v", stable, got)
	}
	for _, ev := range srv.events() {
		if ev.Type == "instance.created" && ev.Revision == rev {
			t.Errorf("an instance of revision %d was created before its migration succeeded: %s", rev, ev.Message)
		}
	}
	code, body, _ := httpDo("GET", "http://"+srv.router+"/schema-1", "", nil)
	if code != 200 || strings.TrimSpace(body) != "migrated-1" {
		t.Errorf("the stable revision stopped serving: %d %q", code, body)
	}
}

// TestJobSurvivesServerKill kills the server (kill -9) while a
// before-rollout job runs: the next server finds the run again and its
// real end, which the run's monitor recorded even if it came while no
// server ran. The migration runs exactly once (no job.lost, attempt 1),
// and the revision then rolls out.
func TestJobSurvivesServerKill(t *testing.T) {
	db := jobsDB(t)
	data := t.TempDir()
	srv := startServer(t, data)
	slow := "sleep 3; " + migration(db)
	file := writeSpec(t, specDir(t), "slipway.yaml", fmt.Sprintf(jobsSpec, db, "1", slow, "60s"))
	srv.mustCLI("apply", "-f", file)
	waitFor(t, 20*time.Second, "the migration running", func() (bool, string) {
		var list api.JobList
		err := srv.getJSON("/v1/services/web/jobs", &list)
		return err == nil && len(list.Runs) > 0 && list.Runs[0].State == "Running", fmt.Sprintf("%+v %v", list, err)
	})
	srv.kill()
	srv2 := startServer(t, data)
	srv2.waitConverged(60*time.Second, map[string]int{"web": 1})
	var list api.JobList
	if err := srv2.getJSON("/v1/services/web/jobs", &list); err != nil {
		t.Fatal(err)
	}
	run := list.Runs[0]
	lost := 0
	for _, ev := range srv2.events() {
		if ev.Type == "job.lost" {
			lost++
		}
	}
	if n := countRuns(t, db); run.State != "Succeeded" || n != 1 || lost != 0 || run.Attempt != 1 {
		t.Errorf("migrate ran %d times, %d job.lost events, run %+v; want it run once, found again and succeeded (attempt 1)", n, lost, run)
	}
}
