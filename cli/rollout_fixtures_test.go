package cli_test

import (
	"time"

	"github.com/slipway-dev/slipway/api"
)

// at is a time sec seconds after the canary fixtures start.
func at(sec int) time.Time { return created.Add(time.Duration(sec) * time.Second) }

// The measurements of the canary fixtures, as the server's analysis
// words them.
var (
	ok995 = api.Measurement{Time: at(40), Value: 0.995, Samples: 1, Verdict: "pass", Reason: "success-rate 0.995 meets result >= 0.99"}
	ok993 = api.Measurement{Time: at(60), Value: 0.993, Samples: 1, Verdict: "pass", Reason: "success-rate 0.993 meets result >= 0.99"}
	bad80 = api.Measurement{Time: at(80), Value: 0.8, Samples: 1, Verdict: "fail", Reason: "success-rate 0.8 does not meet result >= 0.99"}
	bad70 = api.Measurement{Time: at(100), Value: 0.7, Samples: 1, Verdict: "fail", Reason: "success-rate 0.7 does not meet result >= 0.99"}

	latencyNoData = api.Measurement{Time: at(40), Samples: 3, Verdict: "inconclusive", NoData: true,
		Reason: "latency: 3 canary and 40 baseline samples, need 10 each: not enough data is not a pass",
		Stats:  map[string]float64{"canarySamples": 3, "baselineSamples": 40}}
	latencySame = api.Measurement{Time: at(60), Value: 5.4, Samples: 25, Verdict: "pass",
		Reason: "latency 5.4 vs baseline 5.3 (+2%, p=0.41 >= 0.05): no significant difference",
		Stats: map[string]float64{"p": 0.41, "alpha": 0.05, "effect": 0.0189, "minEffect": 0.5,
			"canaryMedian": 5.4, "baselineMedian": 5.3, "u": 280, "z": 0.8}}
	latencyWorse = api.Measurement{Time: at(80), Value: 12.1, Samples: 30, Verdict: "fail",
		Reason: "latency 12.1 vs baseline 5.3 (+128%, p=0.003 < 0.05): worse by more than the 50% allowed",
		Stats: map[string]float64{"p": 0.003, "alpha": 0.05, "effect": 1.283, "minEffect": 0.5,
			"canaryMedian": 12.1, "baselineMedian": 5.3}}
)

// runningOrder is service order with its canary r3 (against stable r2)
// at step 2/5, 20% of the traffic, its background analysis measuring a
// success rate and a latency against the baseline.
func runningOrder() api.Service {
	return api.Service{
		Name: "order", Revision: 3, Stable: 2, Phase: "Progressing", Desired: 3, Ready: 1, Route: "/order",
		Message: "canary revision 3 at 20%: step 2/5 setWeight: 20",
		Traffic: &api.Traffic{Active: 2, Canary: 3, Weight: 20},
		Canary: &api.Canary{Revision: 3, Stable: 2, Step: 1, Steps: 5, StepName: "setWeight: 20", StepStarted: at(30),
			Weight: 20, Started: at(0),
			Analysis: &api.AnalysisRun{Step: -1, Phase: "running", Started: at(0), NextAt: at(80), Metrics: []api.MetricRun{
				{Name: "success-rate", Provider: "router", Judge: "result >= 0.99", Phase: "running", Passes: 2, Taken: 2,
					Measurements: []api.Measurement{ok995, ok993}},
				{Name: "latency", Provider: "router", Judge: "compare: baseline", Phase: "running", Passes: 1, Taken: 2,
					Measurements: []api.Measurement{latencyNoData, latencySame}},
			}},
		},
	}
}

// rolledBackOrder is order after its canary failed its analysis: all
// traffic back on r2.
func rolledBackOrder() api.Service {
	s := runningOrder()
	const reason = "analysis failed: success-rate: 2 measurements failed, more than the 1 failure allowed; " +
		"last: success-rate 0.7 does not meet result >= 0.99"
	s.Revision, s.Phase, s.Message, s.Traffic = 2, "Ready", "revision 2 takes all traffic", &api.Traffic{Active: 2}
	c := s.Canary
	c.Outcome, c.Reason, c.Ended = "RolledBack", reason, at(100)
	a := c.Analysis
	a.Phase, a.Reason, a.Ended = "failed", reason[len("analysis failed: "):], at(100)
	sr := &a.Metrics[0]
	sr.Phase, sr.Reason, sr.Failures, sr.Taken = "failed", a.Reason[len("success-rate: "):], 2, 4
	sr.Measurements = append(sr.Measurements, bad80, bad70)
	return s
}

// promotedOrder is order after its canary passed every step.
func promotedOrder() api.Service {
	s := runningOrder()
	s.Phase, s.Stable, s.Message, s.Traffic = "Ready", 3, "canary revision 3 promoted", &api.Traffic{Active: 3}
	c := s.Canary
	c.Step, c.StepName, c.Weight, c.Full = 5, "", 100, true
	c.Outcome, c.Reason, c.Ended = "Promoted", "every step passed; analysis: 2 metrics, 7 measurements passed", at(300)
	c.StepAnalysis = &api.AnalysisRun{Step: 3, Phase: "successful", Reason: "success-rate: 3 of 3 measurements passed, within limits",
		Started: at(200), Ended: at(260), Metrics: []api.MetricRun{
			{Name: "success-rate", Provider: "router", Judge: "result >= 0.99", Phase: "successful", Passes: 3, Taken: 3,
				Reason:       "3 of 3 measurements passed, within limits",
				Measurements: []api.Measurement{withTime(ok995, at(220)), withTime(ok993, at(240)), withTime(ok995, at(260))}},
		}}
	return s
}

func withTime(m api.Measurement, t time.Time) api.Measurement {
	m.Time = t
	return m
}
