package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

func TestRollbackCommand(t *testing.T) {
	dir := specDir(t)
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, dir, "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	writeSpec(t, dir, "slipway.yaml", fastSpec(`, RELEASE: "2"`, "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"order": 2, "invoice": 2}
	checkServesRevision(t, srv.waitConverged(10*time.Second, want), "order", "2")

	r := srv.mustCLI("rollback", "order", "--wait", "--timeout", "30s", "--reason", "e2e")
	if !strings.Contains(r.stdout, "revision 1") {
		t.Errorf("rollback does not say it goes to revision 1:\n%s", r)
	}
	svcs := srv.waitConverged(10*time.Second, want)
	if svc, _ := find(svcs, "order"); svc.Revision != 1 {
		t.Errorf("order on revision %d after rollback; want 1", svc.Revision)
	}
	checkServesRevision(t, svcs, "order", "1")
	var revs []api.Revision
	if err := json.Unmarshal([]byte(srv.mustCLI("history", "order", "-o", "json").stdout), &revs); err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 {
		t.Errorf("a rollback made a new revision: history %+v", revs)
	}
	for _, rev := range revs {
		if rev.Current != (rev.Number == 1) {
			t.Errorf("order revision %d (%s) current = %v after rollback to 1", rev.Number, rev.State, rev.Current)
		}
	}
	if !hasEvent(srv.events(), "order", "rollback.requested") {
		t.Errorf("no rollback.requested event: %v", eventTypes(srv.events()))
	}
	if again := srv.cli("rollback", "order"); again.code == 0 {
		t.Errorf("a second bare rollback (no earlier revision than 1) succeeded:\n%s", again)
	}
	if r := srv.cli("rollback", "order", "--to", "1"); r.code == 0 || !strings.Contains(r.stderr, "already") {
		t.Errorf("rollback to the current revision should fail saying so:\n%s", r)
	}
}

// checkServesRevision checks that every instance of service answers with
// the given revision in its JSON.
func checkServesRevision(t *testing.T, svcs []api.Service, service, revision string) {
	t.Helper()
	svc, _ := find(svcs, service)
	for _, in := range svc.Instances {
		m, err := fetchJSON(fmt.Sprintf("http://127.0.0.1:%d/", in.Port))
		if err != nil || m["revision"] != revision {
			t.Errorf("%s instance %s answered %v (%v); want revision %s", service, in.ID, m, err, revision)
		}
	}
}

func TestReapplyChangesNothing(t *testing.T) {
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	before := allPIDs(srv.waitConverged(10*time.Second, map[string]int{"order": 2, "invoice": 2}))
	events := len(srv.events())

	plan := srv.mustCLI("plan", "-f", file)
	r := srv.mustCLI("apply", "-f", file, "--wait")
	if strings.Contains(r.stdout, "operation") {
		t.Errorf("re-applying the same spec started an operation:\n%s", r)
	}
	if strings.Contains(plan.stdout, "to change") && !strings.Contains(plan.stdout, "0 to change") {
		t.Errorf("plan of the applied spec shows changes:\n%s", plan)
	}
	if n := len(srv.events()); n != events {
		t.Errorf("re-applying wrote %d events", n-events)
	}
	if after := allPIDs(srv.services()); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("re-applying changed instances: %v -> %v", before, after)
	}
}
