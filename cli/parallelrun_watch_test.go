package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestWatchParallelRunUntilPromoted(t *testing.T) {
	f, url := newFake(t)
	f.polls = []api.Service{waitingSearch(), earlySearch(), earlySearch(), mirroringSearch(), promotedSearch()}
	res := run(t, url, "rollout", "watch", "search", fast)
	want := `T  watching the parallel run r5 of search (stable r4); Ctrl-C stops the watch, not the run
T  waiting for revision 5's instances to be ready
T  mirroring 100% of requests to r5 until 2026-11-26T22:11:03Z, comparing its answers with r4's; at most 1% of at least 100 compared requests may differ beyond noise
T  40 compared, 0 differ beyond noise (0%)
T  verdict so far: waiting: 40 of 100 requests compared so far
T  240 compared, 1 differs beyond noise (0.42%); 3 dropped (too many copies in flight)
T  GET /suggest $.suggestions[0] counts against r5: it differs in 2.5% of requests, stable from itself in 0%
T  verdict so far: passed: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
T  promoted: answers match: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
`
	if got := blankTimes(res.stdout); res.code != 0 || got != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, got, want)
	}
}

func TestWatchParallelRunUntilRolledBack(t *testing.T) {
	f, url := newFake(t)
	f.polls = []api.Service{earlySearch(), rolledBackSearch()}
	res := run(t, url, "rollout", "watch", "search", fast)
	const reason = "answers differ: 13.33% of 240 compared requests differ beyond noise (32), above the limit 1%; " +
		"most: GET /search status (30 times, noise 0%)"
	wantOut := `T  watching the parallel run r5 of search (stable r4); Ctrl-C stops the watch, not the run
T  mirroring 100% of requests to r5 until 2026-11-26T22:11:03Z, comparing its answers with r4's; at most 1% of at least 100 compared requests may differ beyond noise
T  40 compared, 0 differ beyond noise (0%)
T  verdict so far: waiting: 40 of 100 requests compared so far
T  240 compared, 32 differ beyond noise (13.33%)
T  GET /search status counts against r5: it differs in 15% of requests, stable from itself in 0%
T  GET /search $.results counts against r5: it differs in 15% of requests, stable from itself in 0%
T  GET /suggest body counts against r5: it differs in 5% of requests, stable from itself in 0%
T  rolled back: ` + reason + `
`
	wantErr := "error: the parallel run r5 of search was rolled back: " + reason + `; see "slipway rollout explain search"` + "\n"
	if got := blankTimes(res.stdout); res.code != 1 || got != wantOut || res.stderr != wantErr {
		t.Fatalf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", res.code, got, wantOut, res.stderr, wantErr)
	}
}

func TestWatchParallelRunEnded(t *testing.T) {
	tests := []struct {
		name string
		svc  api.Service
		want string
	}{
		{"rolled back", reverted(rolledBackSearch()), "error: service search has no parallel run in flight: its parallel run of revision 5 " +
			"was rolled back (answers differ: 13.33% of 240 compared requests differ beyond noise (32), above the limit 1%; " +
			"most: GET /search status (30 times, noise 0%))\n"},
		{"promoted", promotedSearch(), "error: service search has no parallel run in flight: its parallel run of revision 5 was promoted\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := run(t, url, "rollout", "watch", "search", fast)
			if res.code != 1 || res.stdout != "" || res.stderr != tc.want {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", res.code, res.stdout, res.stderr, tc.want)
			}
		})
	}
}

// TestWatchParallelRunInterrupted stops a watch whose run goes on.
func TestWatchParallelRunInterrupted(t *testing.T) {
	f, url := newFake(t)
	f.polls = []api.Service{mirroringSearch()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := 0
	f.onService = func() {
		if polls++; polls == 3 {
			cancel()
		}
	}
	res := runCtx(ctx, t, url, "rollout", "watch", "search", fast)
	if res.code != 130 || !strings.HasPrefix(res.stderr, "interrupted: stopped watching; the parallel run of search goes on") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}
