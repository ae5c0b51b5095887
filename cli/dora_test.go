package cli_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// serverNow is the clock of realServer.
var serverNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// realServer serves the real API over a memory store holding revisions
// 1-3 of order and the events given (times as offsets before serverNow).
func realServer(t *testing.T, events ...store.Event) string {
	t.Helper()
	st := store.NewMemory()
	err := st.Update(t.Context(), func(tx store.Tx) error {
		for range 3 {
			if _, err := tx.CreateRevision(store.Revision{Service: "order", Spec: spec.Service{Run: []string{"./order"}}}); err != nil {
				return err
			}
		}
		for _, e := range events {
			if _, err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h := httpapi.New(httpapi.Config{Store: st, Clock: clock.NewFake(serverNow), Enqueue: func(queue.Key) {},
		Changes: func() <-chan struct{} { return make(chan struct{}) }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// ago is serverNow minus d.
func ago(d time.Duration) time.Time { return serverNow.Add(-d) }

// doraTimeline: order v1 (commit made 3h before, 10 days ago) and v2
// (commit 1h before, 5 days ago) deployed; v3 a day ago, failed its
// rollout and v2 restored 90s later.
func doraTimeline() []store.Event {
	day := 24 * time.Hour
	art := func(commit string, at time.Time) []byte {
		return []byte(`{"artifact":{"path":"bin/order","commit":"` + commit + `","commitTime":"` + at.Format(time.RFC3339) + `"}}`)
	}
	return []store.Event{
		{Time: ago(10 * day), Type: "service.rollout.started", Service: "order", Operation: 1},
		{Time: ago(10 * day), Type: "service.rollout.succeeded", Service: "order", Revision: 1, Operation: 1, Data: art("aaaaaaa", ago(10*day+3*time.Hour))},
		{Time: ago(5 * day), Type: "service.rollout.started", Service: "order", Operation: 2},
		{Time: ago(5 * day), Type: "service.rollout.succeeded", Service: "order", Revision: 2, Operation: 2, Data: art("bbbbbbb", ago(5*day+time.Hour))},
		{Time: ago(day), Type: "service.rollout.started", Service: "order", Operation: 3},
		{Time: ago(day), Type: "service.rollout.failed", Service: "order", Revision: 3, Operation: 3},
		{Time: ago(day), Type: "service.rollback.started", Service: "order", Operation: 3},
		{Time: ago(day - 90*time.Second), Type: "service.rollout.succeeded", Service: "order", Revision: 2, Operation: 3},
	}
}

func TestDoraText(t *testing.T) {
	url := realServer(t, doraTimeline()...)
	r := run(t, url, "dora", "--window", "14d")
	want := `DORA metrics of environment default (production) over the last 14d (2026-11-12 12:00:00 to 2026-11-26 12:00:00 UTC)
levels: Accelerate State of DevOps Report 2024 (DORA, Google Cloud): software delivery performance levels

SERVICE  DEPLOYS  PER WEEK  LEAD TIME (MEDIAN / P90)   CHANGE FAILURE RATE  RECOVERY (MEDIAN)  LEVEL
order    2        1.00      2h00m / 2h48m (2 commits)  33% (1 of 3)         1m30s              low

level low: deployment frequency high, lead time elite, change failure rate low, recovery time elite

failures:
SERVICE  REV  CAUSE           STARTED               RECOVERED BY  AFTER
order    3    rollout failed  2026-11-25T12:00:00Z  rollback      1m30s
`
	if r.code != 0 || r.stdout != want {
		t.Errorf("dora: exit %d, stderr %s\ngot:\n%s\nwant:\n%s", r.code, r.stderr, r.stdout, want)
	}
}

func TestDoraJSON(t *testing.T) {
	url := realServer(t, doraTimeline()...)
	r := run(t, url, "dora", "--service", "order", "-o", "json")
	var d api.DORA
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &d) != nil {
		t.Fatalf("dora -o json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if d.Window != "90d" || d.LevelsYear != 2024 || d.Total.Deployments != 2 || d.Total.ChangeFailures != 1 || d.Total.RecoveryTime.MedianSeconds != 90 {
		t.Errorf("dora -o json = %+v", d)
	}
}

func TestDoraBadInput(t *testing.T) {
	url := realServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"dora", "--window", "soon"}, `error: window "soon": want a length like 90d, 12w or 36h`},
		{[]string{"dora", "--env", "prod"}, `error: unknown environment "prod" (environments: default)`},
		{[]string{"dora", "--service", "nosuch"}, `error: service "nosuch" does not exist`},
	} {
		r := run(t, url, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
