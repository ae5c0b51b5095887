package cli_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// orderDigest is the digest of the order artifact writeSpec writes.
func orderDigest() string {
	sum := sha256.Sum256([]byte("#!/bin/sh\necho order\n"))
	return "sha256:" + hex.EncodeToString(sum[:])
}

var shopPlan = api.Plan{
	App:     "shop",
	Added:   []string{"invoice"},
	Changed: []api.ServiceChange{{Name: "order", Fields: []api.FieldChange{{Path: "instances", Old: "2", New: "3"}}}},
	Removed: []string{"legacy"},
}

const shopPlanText = `+ invoice (new)
~ order
    instances: 2 -> 3
- legacy (removed)

Plan: 1 to add, 1 to change, 1 to remove.
`

func TestPlan(t *testing.T) {
	f, url := newFake(t)
	f.plan = shopPlan
	res := run(t, url, "plan", "-f", writeSpec(t, shopSpec))
	if res.code != 0 || res.stdout != shopPlanText {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", res.code, res.stderr, res.stdout)
	}
	if _, ok := f.artifacts[orderDigest()]; !ok {
		t.Errorf("artifact not uploaded: calls %v", f.calls)
	}
	if want := "uploading artifact of order: bin/order (" + orderDigest()[:19] + ")\n"; res.stderr != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}
	if !strings.Contains(f.applied[0].Spec, "digest: "+orderDigest()) {
		t.Errorf("spec sent without the digest:\n%s", f.applied[0].Spec)
	}

	res = run(t, url, "plan", "-f", writeSpec(t, shopSpec), "-o", "json")
	var plan api.Plan
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil || plan.Removed[0] != "legacy" {
		t.Fatalf("json: %v, %+v", err, plan)
	}
}

func TestPlanNoChanges(t *testing.T) {
	f, url := newFake(t)
	f.plan = api.Plan{App: "shop", Unchanged: []string{"invoice", "order"}}
	f.artifacts[orderDigest()] = []byte("already there")
	res := run(t, url, "plan", "-f", writeSpec(t, shopSpec))
	if res.code != 0 || res.stdout != "No changes.\n" {
		t.Fatalf("exit %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
	for _, c := range f.calls {
		if strings.HasPrefix(c, "PUT ") {
			t.Errorf("uploaded an artifact the server has: %v", f.calls)
		}
	}
}

func TestValidate(t *testing.T) {
	f, url := newFake(t)
	path := writeSpec(t, shopSpec)
	res := run(t, url, "validate", "-f", path)
	if res.code != 0 || res.stdout != path+" is valid: app shop, 2 services\n" {
		t.Fatalf("exit %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
	if len(f.applied) != 1 || f.applied[0].File != path {
		t.Errorf("server validate requests = %+v", f.applied)
	}
}

func TestValidateBadSpecStaysLocal(t *testing.T) {
	f, url := newFake(t)
	path := writeSpec(t, badSpec)
	res := run(t, url, "validate", "-f", path)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if len(lines) != 3 || lines[0] != "error: the spec has 2 problems" ||
		!strings.HasPrefix(lines[1], path+":4: services.invoice.instances: ") ||
		!strings.HasPrefix(lines[2], path+":7: services.order.run: ") {
		t.Errorf("stderr:\n%s", res.stderr)
	}
	if len(f.calls) != 0 {
		t.Errorf("contacted the server: %v", f.calls)
	}
}

func TestValidateWithoutServer(t *testing.T) {
	path := writeSpec(t, shopSpec)
	res := run(t, "http://127.0.0.1:1", "validate", "-f", path)
	if res.code != 0 || !strings.Contains(res.stdout, "is valid: app shop, 2 services") ||
		!strings.HasPrefix(res.stderr, "note: validated locally only: cannot reach the slipway server at http://127.0.0.1:1 (connection refused);") {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

func TestValidateServerProblems(t *testing.T) {
	f, url := newFake(t)
	f.invalid = &api.ErrorDetail{Kind: api.KindInvalid, Message: "spec rejected", Problems: []api.Problem{
		{File: "slipway.yaml", Line: 3, Path: "services.invoice", Message: "port 80 is taken"},
	}}
	f.artifacts[orderDigest()] = []byte("uploaded before")
	res := run(t, url, "validate", "-f", writeSpec(t, shopSpec))
	want := "error: spec rejected\nslipway.yaml:3: services.invoice: port 80 is taken\n"
	if res.code != 1 || res.stderr != want {
		t.Fatalf("exit %d, stderr:\n%s", res.code, res.stderr)
	}
}

func TestApplyNoChanges(t *testing.T) {
	f, url := newFake(t)
	f.plan = api.Plan{App: "shop", Unchanged: []string{"invoice"}}
	res := run(t, url, "apply", "-f", writeSpec(t, shopSpec), "--wait")
	if res.code != 0 || res.stdout != "No changes.\n" {
		t.Fatalf("exit %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
}

func TestApplyWaitSucceeded(t *testing.T) {
	f, url := newFake(t)
	f.plan = shopPlan
	running := api.Operation{ID: 7, Kind: "apply", State: "Running", Changes: []api.Change{
		{Service: "invoice", To: 1, Started: true}, {Service: "order", From: 1, To: 2}}}
	done := api.Operation{ID: 7, Kind: "apply", State: "Succeeded", Terminal: true, Changes: []api.Change{
		{Service: "invoice", To: 1, Started: true, Done: true}, {Service: "order", From: 1, To: 2, Started: true, Done: true}}}
	f.ops = []api.Operation{running, done}
	f.events = []api.Event{
		{Seq: 1, Time: created, Type: "older.event", Message: "not ours", Operation: 6},
		{Seq: 2, Time: created, Type: "instance.ready", Service: "invoice", Revision: 1, Message: "invoice-1 ready", Operation: 7},
	}
	res := run(t, url, "apply", "-f", writeSpec(t, shopSpec), "--wait")
	want := shopPlanText + `operation 7 started
  invoice: deploying r1
    2026-11-26T22:01:03Z  instance.ready  invoice r1  invoice-1 ready
  invoice: done
  order: rolling out r1 -> r2
  order: done
operation 7 succeeded
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}

func TestApplyWaitRolledBack(t *testing.T) {
	f, url := newFake(t)
	f.plan = shopPlan
	f.ops = []api.Operation{
		{ID: 8, State: "Running", Changes: []api.Change{{Service: "order", From: 1, To: 2, Started: true}}},
		{ID: 8, State: "RolledBack", Terminal: true, Message: "order failed its readiness check",
			Changes: []api.Change{{Service: "order", From: 1, To: 2, Started: true}},
			Failure: &api.Failure{Service: "order", Instance: "order-2-a", Reason: "readiness check failed 3 times",
				Logs: []string{"listening on :41003", "panic: no database"}}},
	}
	f.artifacts[orderDigest()] = []byte("uploaded before")
	res := run(t, url, "apply", "-f", writeSpec(t, shopSpec), "--wait", "--timeout", "1m")
	want := `error: operation 8 ended RolledBack: order failed its readiness check
  service:  order
  instance: order-2-a
  reason:   readiness check failed 3 times
  last log lines:
    listening on :41003
    panic: no database
`
	if res.code != 1 || res.stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", res.code, res.stderr, want)
	}
	if !strings.Contains(res.stdout, "operation 8 started\n  order: rolling out r1 -> r2\n") {
		t.Errorf("stdout:\n%s", res.stdout)
	}
}

func TestApplyBadSpecSendsNothing(t *testing.T) {
	f, url := newFake(t)
	res := run(t, url, "apply", "-f", writeSpec(t, badSpec))
	if res.code != 1 || !strings.Contains(res.stderr, filepath.Base("slipway.yaml")+":4: ") || len(f.calls) != 0 {
		t.Fatalf("exit %d, stderr %q, calls %v", res.code, res.stderr, f.calls)
	}
}

func TestApplyWaitTimeout(t *testing.T) {
	f, url := newFake(t)
	f.plan = shopPlan
	f.ops = []api.Operation{{ID: 9, State: "Running"}}
	f.artifacts[orderDigest()] = []byte("uploaded before")
	res := run(t, url, "apply", "-f", writeSpec(t, shopSpec), "--wait", "--timeout", "1ms")
	want := "error: operation 9 did not end within 1ms; it goes on: see \"slipway status\"\n"
	if res.code != 1 || res.stderr != want {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}
