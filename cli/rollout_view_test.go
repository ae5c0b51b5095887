package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// pausedOrder is runningOrder paused by an inconclusive analysis, with a
// header route to the canary.
func pausedOrder() api.Service {
	s := runningOrder()
	c := s.Canary
	c.Paused, c.PauseReason = true, "analysis inconclusive: latency: 3 measurements inconclusive"
	c.Header, c.HeaderValue = "X-Canary", "always"
	return s
}

// supersededOrder is order rolling out r4 (no canary) after its canary
// r3 was promoted.
func supersededOrder() api.Service {
	s := promotedOrder()
	s.Revision, s.Stable, s.Phase, s.Message = 4, 3, "Progressing", "rolling out revision 4: 1/3 ready"
	return s
}

func TestRolloutStatus(t *testing.T) {
	const background = `background analysis: running
  METRIC        JUDGE              LATEST             VERDICT  PASS/FAIL/INC/ERR  REASON
  success-rate  result >= 0.99     0.993 >= 0.99      pass     2/0/0/0            success-rate 0.993 meets result >= 0.99
  latency       compare: baseline  p=0.41 effect +2%  pass     1/0/0/0            latency 5.4 vs baseline 5.3 (+2%, p=0.41 >= 0.05): no significant difference
`
	tests := []struct {
		name string
		svc  api.Service
		want string
	}{
		{"running", runningOrder(), `service:  order
rollout:  stable r2 -> canary r3
step:     2/5 setWeight: 20
traffic:  stable r2 80% / canary r3 20%

` + background},
		{"paused, header route", pausedOrder(), `service:  order
rollout:  stable r2 -> canary r3
step:     2/5 setWeight: 20
traffic:  stable r2 80% / canary r3 20%
header:   requests with X-Canary: always go to canary r3
paused:   analysis inconclusive: latency: 3 measurements inconclusive; go on with "slipway rollout resume|promote|abort order"

` + background},
		{"waiting for promote", func() api.Service {
			s := runningOrder()
			s.Canary.Step, s.Canary.StepName, s.Canary.Analysis = 2, "pause: until promoted", nil
			return s
		}(), `service:  order
rollout:  stable r2 -> canary r3
step:     3/5 pause: until promoted
traffic:  stable r2 80% / canary r3 20%
waiting:  for "slipway rollout promote order"
`},
		{"waiting for instances", func() api.Service {
			s := runningOrder()
			s.Canary.StepStarted, s.Canary.Analysis = time.Time{}, nil
			return s
		}(), `service:  order
rollout:  stable r2 -> canary r3
step:     2/5 setWeight: 20 (waiting for revision 3's instances to be ready)
traffic:  stable r2 80% / canary r3 20%
`},
		{"all steps done", func() api.Service {
			s := runningOrder()
			s.Canary.Step, s.Canary.StepName, s.Canary.Full, s.Canary.Analysis = 5, "", true, nil
			return s
		}(), `service:  order
rollout:  stable r2 -> canary r3
step:     all steps done: scaling to full
traffic:  stable r2 80% / canary r3 20%
`},
		{"rolled back", rolledBackOrder(), `service:  order
rollout:  stable r2 -> canary r3
step:     rolled back: analysis failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
traffic:  all on r2 (stable)

background analysis: failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
  METRIC        JUDGE              LATEST             VERDICT  PASS/FAIL/INC/ERR  REASON
  success-rate  result >= 0.99     0.7 >= 0.99        fail     2/2/0/0            success-rate 0.7 does not meet result >= 0.99
  latency       compare: baseline  p=0.41 effect +2%  pass     1/0/0/0            latency 5.4 vs baseline 5.3 (+2%, p=0.41 >= 0.05): no significant difference
`},
		{"promoted", promotedOrder(), `service:  order
rollout:  stable r2 -> canary r3
step:     promoted: every step passed; analysis: 2 metrics, 7 measurements passed
traffic:  all on r3 (promoted)

` + strings.Replace(background, "running", "running when the canary ended", 1) + `
analysis step 4: successful: success-rate: 3 of 3 measurements passed, within limits
  METRIC        JUDGE           LATEST         VERDICT  PASS/FAIL/INC/ERR  REASON
  success-rate  result >= 0.99  0.995 >= 0.99  pass     3/0/0/0            success-rate 0.995 meets result >= 0.99
`},
		{"no canary", shopServices[0], `service invoice has no canary in flight: its rollout of revision 3 does not use the canary strategy
revision:  3 (stable 2)
phase:     RollingOut
`},
		{"a canary that is history", supersededOrder(), `service order has no canary in flight: its rollout of revision 4 does not use the canary strategy
revision:     4 (stable 3) (traffic on 3)
phase:        Progressing
message:      rolling out revision 4: 1/3 ready
last canary:  r3 promoted 2026-11-26T22:06:03Z: every step passed; analysis: 2 metrics, 7 measurements passed
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := run(t, url, "rollout", "status", tc.svc.Name)
			if res.code != 0 || res.stdout != tc.want {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.want)
			}
		})
	}
}

func TestRolloutStatusJSON(t *testing.T) {
	f, url := newFake(t)
	f.services = []api.Service{rolledBackOrder()}
	res := run(t, url, "rollout", "status", "order", "-o", "json")
	var got api.Service
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	if got.Canary == nil || got.Canary.Outcome != "RolledBack" || len(got.Canary.Analysis.Metrics[0].Measurements) != 4 {
		t.Errorf("canary = %+v", got.Canary)
	}
}

func TestRolloutExplain(t *testing.T) {
	const successRate = `  success-rate (router): judge result >= 0.99; running
    2 taken: 2 passed, 0 failed, 0 inconclusive, 0 errors; all kept
    TIME                  VALUE  SAMPLES  VERDICT  STATS  REASON
    2026-11-26T22:01:43Z  0.995  1        pass     -      success-rate 0.995 meets result >= 0.99
    2026-11-26T22:02:03Z  0.993  1        pass     -      success-rate 0.993 meets result >= 0.99
`
	const latency = `  latency (router): judge compare: baseline; running
    2 taken: 1 passed, 0 failed, 0 inconclusive, 0 errors, 1 not counted (no data, or taken once the metric was decided); all kept
    TIME                  VALUE    SAMPLES  VERDICT       STATS                                                               REASON
    2026-11-26T22:01:43Z  no data  3        inconclusive  canarySamples=3 baselineSamples=40                                  latency: 3 canary and 40 baseline samples, need 10 each: not enough data is not a pass
    2026-11-26T22:02:03Z  5.4      25       pass          p=0.41 alpha=0.05 effect=+2% minEffect=50% canary=5.4 baseline=5.3  latency 5.4 vs baseline 5.3 (+2%, p=0.41 >= 0.05): no significant difference
`
	worse := rolledBackOrder()
	worse.Canary.Analysis.Metrics = worse.Canary.Analysis.Metrics[1:]
	lat := &worse.Canary.Analysis.Metrics[0]
	lat.Passes, lat.Failures, lat.Taken, lat.Measurements = 28, 1, 30, append(lat.Measurements, latencyWorse)
	tests := []struct {
		name string
		svc  api.Service
		want string
	}{
		{"running", runningOrder(), `canary r3 of order is in flight at step 2/5 setWeight: 20, 20% of the traffic
rollout:    stable r2 -> canary r3
started:    2026-11-26T22:01:03Z
last step:  2/5 setWeight: 20, 20% of the traffic

background analysis: running
  started 2026-11-26T22:01:03Z, measures next at 2026-11-26T22:02:23Z
` + successRate + latency},
		{"rolled back", rolledBackOrder(), `canary r3 of order was rolled back: analysis failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
rollout:    stable r2 -> canary r3
started:    2026-11-26T22:01:03Z
ended:      2026-11-26T22:02:43Z (after 1m40s)
last step:  2/5 setWeight: 20, 20% of the traffic

background analysis: failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
  started 2026-11-26T22:01:03Z, ended 2026-11-26T22:02:43Z
  success-rate (router): judge result >= 0.99; failed: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
    4 taken: 2 passed, 2 failed, 0 inconclusive, 0 errors; all kept
    TIME                  VALUE  SAMPLES  VERDICT  STATS  REASON
    2026-11-26T22:01:43Z  0.995  1        pass     -      success-rate 0.995 meets result >= 0.99
    2026-11-26T22:02:03Z  0.993  1        pass     -      success-rate 0.993 meets result >= 0.99
    2026-11-26T22:02:23Z  0.8    1        fail     -      success-rate 0.8 does not meet result >= 0.99
    2026-11-26T22:02:43Z  0.7    1        fail     -      success-rate 0.7 does not meet result >= 0.99
` + latency},
		{"older measurements no longer kept", worse, `canary r3 of order was rolled back: analysis failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
rollout:    stable r2 -> canary r3
started:    2026-11-26T22:01:03Z
ended:      2026-11-26T22:02:43Z (after 1m40s)
last step:  2/5 setWeight: 20, 20% of the traffic

background analysis: failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99
  started 2026-11-26T22:01:03Z, ended 2026-11-26T22:02:43Z
  latency (router): judge compare: baseline; running
    30 taken: 28 passed, 1 failed, 0 inconclusive, 0 errors, 1 not counted (no data, or taken once the metric was decided); the last 3 kept
    TIME                  VALUE    SAMPLES  VERDICT       STATS                                                                   REASON
    2026-11-26T22:01:43Z  no data  3        inconclusive  canarySamples=3 baselineSamples=40                                      latency: 3 canary and 40 baseline samples, need 10 each: not enough data is not a pass
    2026-11-26T22:02:03Z  5.4      25       pass          p=0.41 alpha=0.05 effect=+2% minEffect=50% canary=5.4 baseline=5.3      latency 5.4 vs baseline 5.3 (+2%, p=0.41 >= 0.05): no significant difference
    2026-11-26T22:02:23Z  12.1     30       fail          p=0.003 alpha=0.05 effect=+128% minEffect=50% canary=12.1 baseline=5.3  latency 12.1 vs baseline 5.3 (+128%, p=0.003 < 0.05): worse by more than the 50% allowed
`},
		{"promoted", promotedOrder(), `canary r3 of order was promoted: every step passed; analysis: 2 metrics, 7 measurements passed
rollout:    stable r2 -> canary r3
started:    2026-11-26T22:01:03Z
ended:      2026-11-26T22:06:03Z (after 5m0s)
last step:  all 5 steps done

background analysis: running when the canary ended
  started 2026-11-26T22:01:03Z, measured until the canary ended 2026-11-26T22:06:03Z
` + successRate + latency + `
analysis step 4: successful: success-rate: 3 of 3 measurements passed, within limits
  started 2026-11-26T22:04:23Z, ended 2026-11-26T22:05:23Z
  success-rate (router): judge result >= 0.99; successful: 3 of 3 measurements passed, within limits
    3 taken: 3 passed, 0 failed, 0 inconclusive, 0 errors; all kept
    TIME                  VALUE  SAMPLES  VERDICT  STATS  REASON
    2026-11-26T22:04:43Z  0.995  1        pass     -      success-rate 0.995 meets result >= 0.99
    2026-11-26T22:05:03Z  0.993  1        pass     -      success-rate 0.993 meets result >= 0.99
    2026-11-26T22:05:23Z  0.995  1        pass     -      success-rate 0.995 meets result >= 0.99
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := run(t, url, "rollout", "explain", "order")
			if res.code != 0 || res.stdout != tc.want {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.want)
			}
		})
	}
}

func TestRolloutExplainJSONAndNoCanary(t *testing.T) {
	f, url := newFake(t)
	f.services = []api.Service{promotedOrder(), shopServices[0]}
	res := run(t, url, "rollout", "explain", "order", "-o", "json")
	var got api.Canary
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	if got.Outcome != "Promoted" || got.StepAnalysis == nil || len(got.StepAnalysis.Metrics[0].Measurements) != 3 {
		t.Errorf("canary = %+v", got)
	}
	res = run(t, url, "rollout", "explain", "invoice")
	if want := "error: service invoice has run no canary: nothing to explain (it is RollingOut)\n"; res.code != 1 || res.stderr != want {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestStatusCanaryLine shows a canary in flight under its service in
// `slipway status`, and nothing for one that ended.
func TestStatusCanaryLine(t *testing.T) {
	f, url := newFake(t)
	f.services = []api.Service{runningOrder(), rolledBackOrder(), pausedOrder()}
	f.services[1].Name, f.services[2].Name = "billing", "payment"
	res := run(t, url, "status")
	want := `NAME     REVISION      PHASE        READY/DESIRED  ROUTE
order    3 (stable 2)  Progressing  1/3            /order
    canary r3 20% step 2/5
billing  2             Ready        1/3            /order
payment  3 (stable 2)  Progressing  1/3            /order
    canary r3 20% step 2/5 paused
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}
