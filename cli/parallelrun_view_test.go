package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/cli"
)

// runAt executes the CLI with args against server on a clock stopped at
// now.
func runAt(t *testing.T, server string, now time.Time, args ...string) result {
	t.Helper()
	t.Setenv(cli.EnvServer, server)
	t.Setenv(cli.EnvToken, "")
	var stdout, stderr bytes.Buffer
	code := cli.RunAt(context.Background(), now, args, &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

// reverted is s after the server reverted the rolled-back operation: the
// target is the run's stable revision again.
func reverted(s api.Service) api.Service {
	s.Revision, s.Phase, s.Message = s.ParallelRun.Stable, "Ready", ""
	return s
}

// aborted is search's run aborted by a person a minute in.
func aborted() api.Service {
	s := earlySearch()
	p := s.ParallelRun
	p.Outcome, p.Reason, p.Ended = "RolledBack", "aborted: checking the payment provider", at(60)
	s.Phase, s.Message = "Failed", "parallel run of revision 5 rolled back: "+p.Reason
	return s
}

const waitingStatus = `service:    search
rollout:    parallel run: stable r4 -> candidate r5
traffic:    all on r4 (stable)
mirroring:  not yet: waiting for revision 5's instances to be ready
gate:       at most 1% of at least 100 compared requests may differ beyond noise
`

func TestParallelRunStatus(t *testing.T) {
	tests := []struct {
		name string
		svc  api.Service
		want string
	}{
		{"waiting for instances", waitingSearch(), waitingStatus},
		{"too few compared yet", earlySearch(), `service:         search
rollout:         parallel run: stable r4 -> candidate r5
traffic:         all users on r4 (stable); r5 answers copies only
mirroring:       100% of requests copied to r5 until 2026-11-26T22:11:03Z (4m0s left)
verdict so far:  waiting: 40 of 100 requests compared so far
compared:        40 compared, 0 differ beyond noise (0%)
gate:            at most 1% of at least 100 compared requests may differ beyond noise
steer:           "slipway rollout promote search" judges it now; "slipway rollout abort search" rejects it

ROUTE / FIELD  COMPARED  DIFFER  RATE  NOISE RATE  VERDICT
GET /search    40        0       0%
  $.took                 40      100%  100%        noise
`},
		{"mirroring", mirroringSearch(), `service:         search
rollout:         parallel run: stable r4 -> candidate r5
traffic:         all users on r4 (stable); r5 answers copies only
mirroring:       100% of requests copied to r5 until 2026-11-26T22:11:03Z (4m0s left)
verdict so far:  passed: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
compared:        240 compared, 1 differs beyond noise (0.42%); 3 dropped (too many copies in flight)
gate:            at most 1% of at least 100 compared requests may differ beyond noise
steer:           "slipway rollout promote search" judges it now; "slipway rollout abort search" rejects it

ROUTE / FIELD         COMPARED  DIFFER  RATE  NOISE RATE  VERDICT
GET /suggest          40        1       2.5%
  $.suggestions[0]              1       2.5%  0%          counts
  $.requestId                   40      100%  100%        noise
GET /search           200       0       0%
  $.took                        200     100%  100%        noise
  $.results[*].score            1       0.5%  0%          too rare
`},
		{"promoted", promotedSearch(), `service:   search
rollout:   parallel run: stable r4 -> candidate r5
traffic:   all on r5 (promoted)
outcome:   promoted: answers match: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
compared:  240 compared, 1 differs beyond noise (0.42%); 3 dropped (too many copies in flight)
gate:      at most 1% of at least 100 compared requests may differ beyond noise

ROUTE / FIELD         COMPARED  DIFFER  RATE  NOISE RATE  VERDICT
GET /suggest          40        1       2.5%
  $.suggestions[0]              1       2.5%  0%          counts
  $.requestId                   40      100%  100%        noise
GET /search           200       0       0%
  $.took                        200     100%  100%        noise
  $.results[*].score            1       0.5%  0%          too rare
`},
		{"rolled back", rolledBackSearch(), `service:   search
rollout:   parallel run: stable r4 -> candidate r5
traffic:   all on r4 (stable; users never left it)
outcome:   rolled back: answers differ: 13.33% of 240 compared requests differ beyond noise (32), above the limit 1%; most: GET /search status (30 times, noise 0%)
compared:  240 compared, 32 differ beyond noise (13.33%)
gate:      at most 1% of at least 100 compared requests may differ beyond noise

ROUTE / FIELD  COMPARED  DIFFER  RATE  NOISE RATE  VERDICT
GET /search    200       30      15%
  status                 30      15%   0%          counts
  $.results              30      15%   0%          counts
  $.took                 200     100%  100%        noise
GET /suggest   40        2       5%
  body                   2       5%    0%          counts
  $.requestId            40      100%  100%        noise
`},
		{"after a promoted canary", func() api.Service {
			s := waitingSearch()
			s.Canary = &api.Canary{Revision: 4, Stable: 3, Steps: 2, Step: 2, Outcome: "Promoted", Reason: "every step passed", Ended: at(-60)}
			return s
		}(), waitingStatus},
		{"history", func() api.Service {
			s := promotedSearch()
			s.Revision, s.Stable, s.Phase, s.Message, s.Traffic = 6, 5, "Progressing", "rolling out revision 6: 1/2 ready", nil
			return s
		}(), `service search has no canary or parallel run in flight: its rollout of revision 6 uses neither the canary nor the parallel-run strategy
revision:           6 (stable 5)
phase:              Progressing
message:            rolling out revision 6: 1/2 ready
last parallel run:  r5 promoted 2026-11-26T22:11:03Z: answers match: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
`},
		{"rolled back and reverted", reverted(rolledBackSearch()), `service:   search
rollout:   parallel run: stable r4 -> candidate r5
traffic:   all on r4 (stable; users never left it)
outcome:   rolled back: answers differ: 13.33% of 240 compared requests differ beyond noise (32), above the limit 1%; most: GET /search status (30 times, noise 0%)
compared:  240 compared, 32 differ beyond noise (13.33%)
gate:      at most 1% of at least 100 compared requests may differ beyond noise

ROUTE / FIELD  COMPARED  DIFFER  RATE  NOISE RATE  VERDICT
GET /search    200       30      15%
  status                 30      15%   0%          counts
  $.results              30      15%   0%          counts
  $.took                 200     100%  100%        noise
GET /suggest   40        2       5%
  body                   2       5%    0%          counts
  $.requestId            40      100%  100%        noise
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := runAt(t, url, at(360), "rollout", "status", tc.svc.Name)
			if res.code != 0 || res.stdout != tc.want {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.want)
			}
		})
	}
}

func TestParallelRunExplain(t *testing.T) {
	tests := []struct {
		name string
		svc  api.Service
		want string
	}{
		{"waiting for instances", waitingSearch(), `parallel run r5 of search waits for revision 5's instances to be ready before mirroring
rollout:   parallel run: stable r4 -> candidate r5
gate:      mirror 100% of requests; at most 1% of at least 100 compared requests may differ beyond noise
mirrored:  not yet
compared:  no requests compared yet
`},
		{"mirroring", mirroringSearch(), `parallel run r5 of search is in flight, mirroring until 2026-11-26T22:11:03Z (4m0s left); verdict so far: passed: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
rollout:         parallel run: stable r4 -> candidate r5
gate:            mirror 100% of requests; at most 1% of at least 100 compared requests may differ beyond noise
mirrored:        2026-11-26T22:01:03Z .. 2026-11-26T22:11:03Z (10m0s)
verdict so far:  passed: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
compared:        240 compared, 1 differs beyond noise (0.42%); 3 dropped (too many copies in flight)

GET /suggest: 40 compared, 1 differs beyond noise (2.5%); noise measured on 40 second stable answers
  FIELD             DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  $.suggestions[0]  1            2.5%  0      0%          counts
  $.requestId       40           100%  40     100%        noise
  samples (primary -> candidate):
    GET /suggest $.suggestions[0]: "cart" -> "car"
    GET /suggest $.requestId: "a1" -> "b7"

GET /search: 200 compared, 0 differ beyond noise (0%); noise measured on 198 second stable answers
  FIELD               DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  $.took              200          100%  198    100%        noise
  $.results[*].score  1            0.5%  0      0%          too rare
  samples (primary -> candidate):
    GET /search $.results[*].score: 0.91 -> 0.9
`},
		{"promoted", promotedSearch(), `parallel run r5 of search was promoted: answers match: 0.42% of 240 compared requests differ beyond noise (1), within the limit 1%
rollout:   parallel run: stable r4 -> candidate r5
gate:      mirror 100% of requests; at most 1% of at least 100 compared requests may differ beyond noise
mirrored:  2026-11-26T22:01:03Z .. 2026-11-26T22:11:03Z (10m0s)
ended:     2026-11-26T22:11:03Z
compared:  240 compared, 1 differs beyond noise (0.42%); 3 dropped (too many copies in flight)

GET /suggest: 40 compared, 1 differs beyond noise (2.5%); noise measured on 40 second stable answers
  FIELD             DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  $.suggestions[0]  1            2.5%  0      0%          counts
  $.requestId       40           100%  40     100%        noise
  samples (primary -> candidate):
    GET /suggest $.suggestions[0]: "cart" -> "car"
    GET /suggest $.requestId: "a1" -> "b7"

GET /search: 200 compared, 0 differ beyond noise (0%); noise measured on 198 second stable answers
  FIELD               DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  $.took              200          100%  198    100%        noise
  $.results[*].score  1            0.5%  0      0%          too rare
  samples (primary -> candidate):
    GET /search $.results[*].score: 0.91 -> 0.9
`},
		{"rolled back", rolledBackSearch(), `parallel run r5 of search was rolled back: answers differ: 13.33% of 240 compared requests differ beyond noise (32), above the limit 1%; most: GET /search status (30 times, noise 0%)
rollout:   parallel run: stable r4 -> candidate r5
gate:      mirror 100% of requests; at most 1% of at least 100 compared requests may differ beyond noise
mirrored:  2026-11-26T22:01:03Z .. 2026-11-26T22:11:03Z (10m0s)
ended:     2026-11-26T22:11:03Z
compared:  240 compared, 32 differ beyond noise (13.33%)

GET /search: 200 compared, 30 differ beyond noise (15%); noise measured on 198 second stable answers
  FIELD      DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  status     30           15%   0      0%          counts
  $.results  30           15%   0      0%          counts
  $.took     200          100%  198    100%        noise
  samples (primary -> candidate):
    GET /search status: 200 -> 500
    GET /search status: 200 -> 503
    GET /search $.results: [{"id":7}] -> (absent)

GET /suggest: 40 compared, 2 differ beyond noise (5%); noise measured on 40 second stable answers
  FIELD        DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  body         2            5%    0      0%          counts
  $.requestId  40           100%  40     100%        noise
  samples (primary -> candidate):
    GET /suggest body: {"suggestions":[]} -> "upstream timeout\n"
    GET /suggest $.requestId: "a1" -> "b7"
`},
		{"aborted early", aborted(), `parallel run r5 of search was rolled back: aborted: checking the payment provider
rollout:       parallel run: stable r4 -> candidate r5
gate:          mirror 100% of requests; at most 1% of at least 100 compared requests may differ beyond noise
mirrored:      2026-11-26T22:01:03Z .. 2026-11-26T22:11:03Z (10m0s), ended early after 1m0s
ended:         2026-11-26T22:02:03Z
last verdict:  waiting: 40 of 100 requests compared so far
compared:      40 compared, 0 differ beyond noise (0%)

GET /search: 40 compared, 0 differ beyond noise (0%); noise measured on 40 second stable answers
  FIELD   DIFFERENCES  RATE  NOISE  NOISE RATE  VERDICT
  $.took  40           100%  40     100%        noise
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := runAt(t, url, at(360), "rollout", "explain", tc.svc.Name)
			if res.code != 0 || res.stdout != tc.want {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.want)
			}
		})
	}
}

func TestParallelRunExplainJSON(t *testing.T) {
	f, url := newFake(t)
	f.services = []api.Service{rolledBackSearch()}
	res := run(t, url, "rollout", "explain", "search", "-o", "json")
	var got api.ParallelRun
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	if got.Outcome != "RolledBack" || got.Report == nil || len(got.Report.Routes[0].Fields[0].Samples) != 2 {
		t.Errorf("parallel run = %+v", got)
	}
}

// TestParallelRunStatusDue shows a run whose time is up but that the
// server has not judged yet, and bounds the routes and fields shown.
func TestParallelRunStatusDue(t *testing.T) {
	s := mirroringSearch()
	r := s.ParallelRun.Report
	for _, route := range []string{"GET /a", "GET /b"} {
		r.Routes = append(r.Routes, api.MirrorRoute{Route: route, Compared: 1, NoiseSamples: 1})
	}
	r.Routes[1].Fields = append(r.Routes[1].Fields, requestIDNoise, requestIDNoise)
	f, url := newFake(t)
	f.services = []api.Service{s}
	res := runAt(t, url, at(601), "rollout", "status", "search")
	// GET /search's fields come most differing first: its rarest is
	// left out.
	want := `ROUTE / FIELD       COMPARED  DIFFER  RATE  NOISE RATE  VERDICT
GET /suggest        40        1       2.5%
  $.suggestions[0]            1       2.5%  0%          counts
  $.requestId                 40      100%  100%        noise
GET /search         200       0       0%
  $.took                      200     100%  100%        noise
  $.requestId                 40      100%  100%        noise
  $.requestId                 40      100%  100%        noise
GET /a              1         0       0%
... and 1 more route, 1 more field: see "slipway rollout explain search"
`
	if res.code != 0 || !strings.Contains(res.stdout, "until 2026-11-26T22:11:03Z (due now)\n") || !strings.HasSuffix(res.stdout, want) {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant the time up and, last:\n%s", res.code, res.stderr, res.stdout, want)
	}
}

// TestStatusParallelRunLine shows a parallel run in flight under its
// service in `slipway status`, beside a canary's line, and nothing for
// one that ended.
func TestStatusParallelRunLine(t *testing.T) {
	failing := mirroringSearch()
	failing.Name = "failing"
	p := failing.ParallelRun
	p.Verdict, p.Report = "failed", rolledBackSearch().ParallelRun.Report
	waiting, ended := waitingSearch(), promotedSearch()
	waiting.Name, ended.Name = "waiting", "ended"
	f, url := newFake(t)
	f.services = []api.Service{mirroringSearch(), failing, waiting, ended, runningOrder()}
	res := run(t, url, "status")
	want := `NAME     REVISION                     PHASE        READY/DESIRED  ROUTE
search   5 (stable 4) (traffic on 4)  Progressing  2/2            /search
    parallel run r5: mirroring 100%, 240 compared, 0.42% differ
failing  5 (stable 4) (traffic on 4)  Progressing  2/2            /search
    parallel run r5: mirroring 100%, 240 compared, 13.33% differ (over the 1% limit)
waiting  5 (stable 4) (traffic on 4)  Progressing  1/2            /search
    parallel run r5: waiting for its instances
ended    5                            Ready        2/2            /search
order    3 (stable 2)                 Progressing  1/3            /order
    canary r3 20% step 2/5
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}

// TestRolloutVerbsOnAParallelRun checks what promote and abort say
// about a parallel run in flight.
func TestRolloutVerbsOnAParallelRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
		svc  api.Service // as the server answers after the edit
		want verbCall
		out  string
	}{
		{"promote", []string{"promote", "search"}, mirroringSearch(), verbCall{"search", "promote", api.RolloutRequest{}},
			`promoting search: the parallel run r5 is judged now on its 240 requests compared so far (0.42% differ beyond noise, ` +
				`limit 1%): promoted within the limit, rolled back above it; follow it with "slipway rollout watch search"`},
		{"promote with too few compared", []string{"promote", "search"}, earlySearch(), verbCall{"search", "promote", api.RolloutRequest{}},
			`promoting search: the parallel run r5 is judged now, but 40 of the 100 requests it needs are compared so far: too few ` +
				`to judge, it likely goes on to its end at 2026-11-26T22:11:03Z; follow it with "slipway rollout watch search"`},
		{"abort", []string{"abort", "search", "--reason", "wrong totals"}, mirroringSearch(),
			verbCall{"search", "abort", api.RolloutRequest{Reason: "wrong totals"}},
			`aborting the parallel run r5 of search: its candidate is rejected once the controller acts; users stay on r4, ` +
				`as they were throughout; see "slipway rollout explain search"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := run(t, url, append([]string{"rollout"}, tc.args...)...)
			if res.code != 0 || res.stdout != tc.out+"\n" {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.out)
			}
			if len(f.verbs) != 1 || f.verbs[0].service != tc.want.service || f.verbs[0].verb != tc.want.verb ||
				f.verbs[0].req.Reason != tc.want.req.Reason {
				t.Errorf("verbs %+v, want %+v", f.verbs, tc.want)
			}
		})
	}
}
