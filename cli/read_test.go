package cli_test

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

var created = time.Date(2026, 11, 26, 22, 1, 3, 0, time.UTC)

var shopServices = []api.Service{
	{
		Name: "invoice", Revision: 3, Stable: 2, Phase: "RollingOut", Desired: 2, Ready: 1, Route: "/invoice",
		Instances: []api.Instance{
			{ID: "invoice-2-a", Revision: 2, PID: 4101, Port: 41001, State: "running", Ready: true},
			{ID: "invoice-3-b", Revision: 3, PID: 4202, Port: 41002, State: "starting", Restarts: 1},
		},
	},
	{Name: "order", Revision: 1, Stable: 1, Phase: "Stable", Desired: 1, Ready: 1},
}

func TestStatusText(t *testing.T) {
	f, url := newFake(t)
	f.services = shopServices
	res := run(t, url, "status")
	want := `NAME     REVISION      PHASE       READY/DESIRED  ROUTE
invoice  3 (stable 2)  RollingOut  1/2            /invoice
    ID           REV  PID   PORT   STATE     READY  RESTARTS
    invoice-2-a  2    4101  41001  running   yes    0
    invoice-3-b  3    4202  41002  starting  no     1
order    1             Stable      1/1            -
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}

func TestStatusJSONIsAlwaysAList(t *testing.T) {
	f, url := newFake(t)
	f.services = shopServices
	for _, args := range [][]string{{"status", "-o", "json"}, {"status", "order", "--output=json"}} {
		res := run(t, url, args...)
		var got []api.Service
		if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
			t.Fatalf("%v: exit %d, %v; stdout %s", args, res.code, err, res.stdout)
		}
		if len(got) == 0 || got[len(got)-1].Name != "order" {
			t.Errorf("%v: services = %+v", args, got)
		}
	}
}

func TestStatusUnknownService(t *testing.T) {
	_, url := newFake(t)
	res := run(t, url, "status", "nope")
	if res.code != 1 || res.stderr != "error: service nope not found\n" {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestHistory(t *testing.T) {
	f, url := newFake(t)
	f.revisions["invoice"] = []api.Revision{
		{Number: 3, State: "Failed", Version: "v1.2.0", Digest: "sha256:3333333333333333333333", CreatedAt: created, Reason: "readiness failed"},
		{Number: 2, State: "Stable", Version: "v1.1.0", Digest: "sha256:2222222222222222222222", CreatedAt: created, Current: true},
		{Number: 1, State: "Superseded", CreatedAt: created, Reason: "apply"},
	}
	f.events = []api.Event{
		{Seq: 1, Type: "x", Service: "invoice", Revision: 2, Message: "m"},
		{Seq: 2, Type: "x", Service: "invoice", Revision: 2, Message: "m", By: "token:ci"},
		{Seq: 3, Type: "x", Service: "invoice", Revision: 2, Message: "m", By: "uid:0 (root)"},
	}
	res := run(t, url, "history", "invoice")
	want := `  REV  STATE       VERSION  DIGEST               CREATED               BY        REASON
  3    Failed      v1.2.0   sha256:333333333333  2026-11-26T22:01:03Z  -         readiness failed
* 2    Stable      v1.1.0   sha256:222222222222  2026-11-26T22:01:03Z  token:ci  -
  1    Superseded  -        -                    2026-11-26T22:01:03Z  -         apply
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	res = run(t, url, "history", "invoice", "-o", "json")
	var revs []api.Revision
	if err := json.Unmarshal([]byte(res.stdout), &revs); err != nil || len(revs) != 3 || !revs[1].Current {
		t.Fatalf("json: %v, %+v", err, revs)
	}
}

func TestEvents(t *testing.T) {
	f, url := newFake(t)
	f.events = []api.Event{
		{Seq: 1, Time: created, Type: "app.applied", Message: "apply of shop", Operation: 7},
		{Seq: 2, Time: created, Type: "service.rollout.started", Service: "invoice", Revision: 3, Message: "r2 -> r3"},
	}
	res := run(t, url, "events", "--after", "0")
	want := "2026-11-26T22:01:03Z  app.applied  -  apply of shop\n" +
		"2026-11-26T22:01:03Z  service.rollout.started  invoice r3  r2 -> r3\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", res.code, res.stderr, res.stdout)
	}
	res = run(t, url, "events", "--service", "invoice", "-o", "json")
	var evs []api.Event
	if err := json.Unmarshal([]byte(res.stdout), &evs); err != nil || len(evs) != 1 || evs[0].Seq != 2 {
		t.Fatalf("json: %v, %+v", err, evs)
	}
}

func TestEventsFollow(t *testing.T) {
	f, url := newFake(t)
	f.events = []api.Event{
		{Seq: 1, Time: created, Type: "app.applied", Message: "one"},
		{Seq: 2, Time: created, Type: "instance.started", Instance: "invoice-3-b", Message: "two"},
	}
	res := run(t, url, "events", "-f", "--after", "1")
	want := "2026-11-26T22:01:03Z  instance.started  invoice-3-b  two\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
}

func TestLogs(t *testing.T) {
	_, url := newFake(t)
	res := run(t, url, "logs", "invoice", "-f", "--lines", "5")
	if res.code != 0 || res.stdout != "invoice-1 | lines=5 follow=true\n" {
		t.Fatalf("exit %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
}

func TestRollback(t *testing.T) {
	f, url := newFake(t)
	f.ops = []api.Operation{{ID: 7, Kind: "rollback", State: "Running",
		Changes: []api.Change{{Service: "invoice", From: 3, To: 2}}}}
	res := run(t, url, "rollback", "invoice", "--reason", "bad release")
	if res.code != 0 || res.stdout != "rolling back invoice to revision 2 (operation 7)\n" {
		t.Fatalf("exit %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
	if len(f.rollbacks) != 1 || f.rollbacks[0].Reason != "bad release" || f.rollbacks[0].To != 0 {
		t.Errorf("rollback requests = %+v", f.rollbacks)
	}
}

func TestUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	res := run(t, url, "status")
	want := fmt.Sprintf(`error: cannot reach the slipway server at %s (connection refused); `+
		`start one with "slipway server" or point --server / SLIPWAY_SERVER at a running one`+"\n", url)
	if res.code != 1 || res.stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", res.code, res.stderr, want)
	}
}

func TestUsageErrors(t *testing.T) {
	_, url := newFake(t)
	for _, args := range [][]string{
		{"status", "--bogus"},
		{"status", "-o", "yaml"},
		{"history"},
		{"rollback", "a", "b"},
		{"frobnicate"},
	} {
		res := run(t, url, args...)
		if res.code != 2 || !strings.HasPrefix(res.stderr, "error: ") || !strings.Contains(res.stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
}

func TestCompletion(t *testing.T) {
	f, url := newFake(t)
	f.services = shopServices
	res := run(t, url, "__complete", "logs", "in")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "invoice\n:4\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if res := run(t, url, "completion", shell); res.code != 0 || res.stdout == "" {
			t.Errorf("completion %s: exit %d, stderr %q", shell, res.code, res.stderr)
		}
	}
}
