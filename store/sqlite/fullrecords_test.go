package sqlite

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Fully populated records, one of each stored kind: every field, every
// nested pointer, slice and map is set (TestFullRecordsSetEveryField
// checks it), so that the format tests see every field of the format.

// at is a fixed UTC time (UTC values compare equal after a JSON round
// trip); at(n) is n seconds later.
func at(n int) time.Time { return time.Date(2026, 11, 2, 10, 0, n, 7, time.UTC) }

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }
func dur(s string) spec.Duration {
	d, err := spec.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fullApp() store.App {
	return store.App{Name: "shop", Spec: "app: shop\n", File: "slipway.yaml", Dir: "/src/shop", AppliedAt: at(1)}
}

func fullService() store.Service {
	return store.Service{
		Name: "api", Revision: 3, Stable: 2, Phase: store.PhaseFailed, Message: "canary rolled back",
		Removed: true, Deadline: at(2), Traffic: fullTraffic(), Promote: true, Keep: 1, KeepUntil: at(3),
		Failure: fullFailure(), Canary: fullCanary(), ParallelRun: fullParallelRun(),
		Autoscale: &store.Autoscale{Revision: 3, Replicas: 4, Reason: "concurrency 38 over target 10 x 3 instances", ChangedAt: at(17)},
		Operation: 4, UpdatedAt: at(4), RestartedAt: at(5), Scale: intp(5),
		Jobs: []store.JobRun{{Job: "migrate", Revision: 3, State: store.JobFailed, Before: true, Attempt: 2,
			Instance: "api-3-job-migrate-1", StartedAt: at(5), EndedAt: at(6), Exit: "exit status 1",
			Output: []string{"migrating", "boom"}, By: "alice"}},
	}
}

func fullTraffic() store.Traffic {
	return store.Traffic{
		Active: 2, Preview: 3, PreviewHeader: "X-Slipway-Preview", PreviewSecret: "0123456789abcdef0123456789abcdef", Canary: 3, Weight: 25,
		CanaryHeader: "X-Canary", CanaryValue: "yes", Sticky: &spec.Stickiness{Cookie: "c", Header: "X-User-Id"},
		Mirror: 3, MirrorPercent: 50, MirrorUnsafe: true,
	}
}

func fullFailure() *store.Failure {
	return &store.Failure{Service: "api", Instance: "api-3-abc", Reason: "exited 1", Logs: []string{"boom", ""}}
}

func fullCanary() *store.Canary {
	return &store.Canary{
		Revision: 3, Stable: 2, Step: 1, StepStarted: at(5), Weight: 50, Header: "X-Canary", Value: "yes",
		Paused: true, PauseReason: "inconclusive", Skip: true, Full: true, Abort: "by hand",
		Analysis: fullAnalysisRun(-1), StepAnalysis: fullAnalysisRun(2),
		Outcome: store.CanaryRolledBack, Reason: "analysis failed", Started: at(6), Ended: at(7),
	}
}

func fullAnalysisRun(step int) *store.AnalysisRun {
	return &store.AnalysisRun{
		Started: at(8), NextAt: at(9), Step: step, Phase: analysis.PhaseFailed, Reason: "too many failures", Ended: at(10),
		Metrics: []store.MetricRun{{
			Name: "success-rate",
			Tally: analysis.Tally{
				Limits: analysis.Limits{FailureLimit: 1, InconclusiveLimit: 2, ConsecutiveErrorLimit: 4, Count: 3},
				Passes: 5, Failures: 2, Inconclusives: 1, Errors: 1, ConsecutiveErrors: 1,
				Phase: analysis.PhaseInconclusive, Reason: "1 inconclusive",
			},
			Measurements: []analysis.Measurement{{
				Metric: "success-rate", Time: at(11), Value: 0.97, Samples: 120, Verdict: analysis.Pass,
				NoData: true, Reason: "0.97 >= 0.95", Stats: map[string]float64{"p": 0.003, "canaryMedian": 12.5},
				Spreads: &analysis.Spreads{
					Canary:   analysis.Spread{N: 12, Min: 1, P10: 2, P25: 3, P50: 4, P75: 5, P90: 6, Max: 7},
					Baseline: analysis.Spread{N: 13, Min: 1.5, P10: 2.5, P25: 3.5, P50: 4.5, P75: 5.5, P90: 6.5, Max: 7.5},
				},
			}, {Metric: "success-rate", Verdict: analysis.Error, Reason: "no answer"}},
			Taken: 9, LastData: at(12),
		}},
	}
}

func fullParallelRun() *store.ParallelRun {
	return &store.ParallelRun{
		Revision: 3, Stable: 2, Started: at(13), Ends: at(14),
		Report: &mirror.Report{
			Compared: 200, Mismatched: 50, MismatchRate: 0.25, Dropped: 3,
			Routes: []mirror.RouteReport{{
				Route: "search.localhost/", Compared: 200, Mismatched: 50, MismatchRate: 0.25, NoiseSamples: 40,
				Fields: []mirror.FieldReport{{
					Field: "$.items[*].price", Differences: 50, Rate: 0.25, Noise: 1, NoiseRate: 0.025, Mismatch: true,
					Samples: []mirror.Sample{{Method: "GET", Path: "/q", Field: "$.items[2].price", Primary: "1", Candidate: "2"}},
				}},
			}},
		},
		Verdict: mirror.Verdict{Outcome: mirror.Failed, Reason: "25% differ"},
		Abort:   "by hand", Promote: true, Outcome: store.CanaryRolledBack, Reason: "mismatch", Ended: at(15),
	}
}

func fullRevision() store.Revision {
	return store.Revision{
		Service: "api", Number: 3, Spec: fullServiceSpec(), State: store.RevisionRolledBack,
		Reason: "canary rolled back", CreatedAt: at(16),
	}
}

func fullServiceSpec() spec.Service {
	probe := &spec.Probe{
		HTTP: "/healthz", TCP: true, Exec: []string{"true"}, Interval: dur("1s"), Timeout: dur("500ms"),
		FailureThreshold: 3, SuccessThreshold: 2, InitialDelay: dur("2m30s"),
	}
	return spec.Service{
		Name: "api", Run: []string{"python3", "./app.py"}, Env: map[string]string{"VERSION": "v3", "DB": "${secret.db}"},
		SecretVersions: map[string]int{"db": 2},
		Image:          "registry.example/shop/api:v3@sha256:9a1c", Command: []string{"/api", "--port", "${PORT}"},
		Instances: intp(2),
		Scale: &spec.Scale{Min: 1, Max: 20, Target: spec.ScaleTarget{Concurrency: 10, RPS: 200, CPU: "70%"},
			IdleAfter: dur("5m"), Stabilization: spec.Stabilization{Up: dur("1s"), Down: dur("2m")},
			StableWindow: dur("30s"), PanicWindow: dur("3s"), PanicThreshold: 1.5},
		Resources: spec.Resources{CPU: 0.5, Memory: 128 << 20, PIDs: 64},
		Health:    spec.Health{Readiness: probe, Liveness: probe},
		Route: spec.Route{Host: "api.localhost", Path: "/api", Timeout: dur("30s"), MaxBody: 1 << 20,
			DrainTimeout: dur("1h"), MaxConcurrency: 100, Hosts: []string{"api.localhost", "*.api.localhost"},
			Certificate: &spec.Certificate{Cert: "/srv/tls/api.pem", Key: "/srv/tls/api.key"}, ClientCA: "/srv/tls/ca.pem",
			Protocol: spec.ProtocolH2C},
		DependsOn: []string{"db"},
		Artifact: &spec.Artifact{
			Path: "./app.py", Version: "v3", Digest: "sha256:5cf1", Commit: "0123456789abcdef",
			CommitTime: "2026-11-02T10:00:00+01:00",
			Commits:    []spec.ArtifactCommit{{ID: "0123456789abcdef", Time: "2026-11-02T10:00:00Z"}},
		},
		Strategy:  fullStrategy(),
		StopGrace: dur("2s"),
		User:      "1000:1000",
		Jobs: map[string]*spec.Job{
			"migrate": {Run: []string{"./app.py", "migrate"}, Before: "rollout", Timeout: dur("5m")},
			"warm":    {Run: []string{"./app.py", "warm"}, After: "ready", Timeout: dur("10m")},
		},
		Mounts: []spec.Mount{{Volume: "uploads", At: "./uploads", Path: "/var/lib/shop/uploads"}},
	}
}

func fullStrategy() spec.Strategy {
	return spec.Strategy{
		Rolling: &spec.Rolling{MaxSurge: intp(1), MaxUnavailable: intp(0), MinReady: dur("5s"),
			ProgressDeadline: dur("2m")},
		BlueGreen: &spec.BlueGreen{PreviewHeader: "X-Preview", AutoPromote: true, ScaleDownDelay: dur("1h"),
			ProgressDeadline: dur("3m")},
		Canary: &spec.Canary{
			Stickiness: &spec.Stickiness{Cookie: "slipway-canary", Header: "X-User-Id"},
			Steps: []spec.Step{
				{SetWeight: intp(10)},
				{Pause: &spec.Pause{Duration: dur("30s")}},
				{Pause: &spec.Pause{}},
				{Analysis: &spec.StepAnalysis{Metrics: []string{"success-rate"}, Count: 2}},
				{SetHeaderRoute: &spec.HeaderRoute{Header: "X-Canary", Value: "yes"}},
			},
			Analysis:         fullAnalysisSpec(),
			ProgressDeadline: dur("10m"),
		},
		ParallelRun: &spec.ParallelRun{
			MirrorPercent: intp(100),
			Compare: spec.ParallelCompare{IgnoreHeaders: []string{"Date"}, Headers: []string{"Content-Type"},
				IgnoreJSONPaths: []string{"$.version"}},
			MaxMismatchRate: 0.01, Duration: dur("10m"), MinRequests: 50, Unsafe: true, ProgressDeadline: dur("15m"),
		},
	}
}

func fullAnalysisSpec() *spec.Analysis {
	return &spec.Analysis{
		Interval: dur("5s"), Metrics: fullMetrics(),
		FailureLimit: intp(1), InconclusiveLimit: intp(2), ConsecutiveErrorLimit: intp(4), Deadline: dur("1m"),
	}
}

func fullMetrics() []spec.Metric {
	return []spec.Metric{{
		Name: "latency", Provider: "prometheus", Metric: "latencyP99", Query: "sum(rate(x[1m]))",
		URL: "http://127.0.0.1:9/stats", JSONPath: "$.p99", SuccessCondition: "result < 0.5",
		Compare: "baseline", Judge: "sequential", Alpha: 0.01, Beta: 0.1, Better: "lower", Confidence: 0.95, MinEffect: 0.1, Floor: 0.05, MinSamples: 5,
	}}
}

func fullInstance() store.Instance {
	return store.Instance{
		ID: "api-3-abc", Service: "api", Revision: 3, Port: 40001, State: store.InstanceBackoff,
		PID: 4242, StartTime: 123456789, Ready: true, ReadySince: at(17), Restarts: 3, Crashes: 2,
		NextStart: at(18), LastExit: "exit status 1", Message: "backing off", CreatedAt: at(19), StartedAt: at(20),
		HostRestart: at(21),
	}
}

func fullOperation() store.Operation {
	return store.Operation{
		ID: 4, Kind: store.KindDeploy, State: store.OperationRolledBack,
		Changes: []store.Change{{Service: "api", From: 2, To: 3, DependsOn: []string{"db"},
			Started: true, Done: true, Reverted: true}},
		Message: "rolled back", Failure: fullFailure(), EventsAfter: 99, Promotion: 2,
		CreatedAt: at(21), UpdatedAt: at(22),
	}
}

func fullEvent() store.Event {
	return store.Event{
		Seq: 100, Time: at(23), Type: "service.canary.rolled_back", Service: "api", Revision: 3,
		Instance: "api-3-abc", Operation: 4, Message: "api: rolled back", By: "token:ci",
		Data: json.RawMessage(`{"reason":"analysis failed","weight":50}`),
	}
}

func fullFlagConfig() store.FlagConfig {
	return store.FlagConfig{
		Revision: 8,
		Flags:    map[string]*spec.Flag{"new-checkout": fullFlag()},
		Segments: map[string]*spec.Segment{"beta": {Name: "beta", If: `ctx.email.endsWith("@shop.example")`,
			Description: "people who test first"}},
		Overrides: map[string]store.FlagOverride{"new-checkout": {Enabled: boolp(false), Killed: true,
			Default: "on", Rollout: map[string]float64{"on": 30, "off": 70}}},
		Reason: "flags kill new-checkout (by ops)", CreatedAt: at(24),
		Changed: map[string]time.Time{"new-checkout": at(25)},
		Releases: map[string]*store.FlagRelease{"new-checkout": {
			Variant: "on", Service: "api", Step: 1, StepStarted: at(26), Percent: 20.5,
			Analysis: fullAnalysisRun(1), Done: []*store.AnalysisRun{fullAnalysisRun(3)},
			Outcome: store.CanaryPromoted, Reason: "every step passed", Started: at(27), Ended: at(28),
		}},
	}
}

func fullFlag() *spec.Flag {
	return &spec.Flag{
		Key: "new-checkout", Class: spec.ClassRelease, Type: "object", Description: "the new checkout",
		Owner: "payments-team", Enabled: boolp(true),
		Variants: map[string]spec.FlagValue{
			"on":  {Value: map[string]any{"discount": 0.2, "support": true, "items": []any{int64(1), "two"}}},
			"off": {Value: int64(42)},
		},
		Default:       "off",
		Off:           "off",
		Prerequisites: []spec.Prerequisite{{Flag: "base", Variant: "on"}},
		Rules:         []spec.FlagRule{{If: `ctx.country == "NL"`, Segment: "beta", Serve: "on"}},
		Rollout:       map[string]float64{"on": 25, "off": 75},
		Stickiness:    "userId",
		StaleAfter:    spec.Period{Duration: 60 * 24 * time.Hour},
		Progressive: &spec.FlagProgressive{
			Variant: "on", Service: "api",
			Steps:    []spec.FlagStep{{Percent: 12.5, Bake: dur("5m")}},
			Analysis: fullAnalysisSpec(),
		},
	}
}

func fullVersion() store.Version {
	return store.Version{
		Service: "order", Version: "v1.0.0", Kind: store.VersionImage, Digest: "sha256:4464",
		Image: "registry.example/shop/order:v1.0.0@sha256:4464", Path: "app.py", Size: 1306,
		Commit: "0123456789abcdef", CommitTime: at(29),
		Commits:  []store.Commit{{ID: "0123456789abcdef", Time: at(29)}, {ID: "fedcba9876543210", Time: at(30)}},
		PushedAt: at(31),
	}
}

func fullPromotion() store.Promotion {
	gate := func(def spec.Gate) store.Gate {
		return store.Gate{
			Kind: def.Kind(), Spec: def.String(), State: store.GatePassed, Reason: "passed",
			StartedAt: at(32), EndedAt: at(33), Output: "acceptance passed\n", ExitCode: 3,
			ApprovedBy: "ana", Attempt: 2, Def: def, Dir: "/src/shop", Analysis: fullAnalysisRun(1),
		}
	}
	bake := dur("1s")
	return store.Promotion{
		ID: 2, Service: "order", Version: "v1.0.0", Digest: "sha256:4464", From: "dev", To: "staging",
		State: store.PromotionSucceeded, Reason: "staging runs v1.0.0",
		Gates: []store.Gate{
			gate(spec.Gate{Tests: &spec.TestsGate{Run: "./acceptance.sh", Timeout: dur("5m")}}),
			gate(spec.Gate{Approval: &spec.ApprovalGate{}}),
			gate(spec.Gate{Bake: &bake}),
			gate(spec.Gate{Analysis: &spec.AnalysisGate{Interval: dur("10s"), Count: 3, Metrics: fullMetrics()}}),
		},
		By: "ana", CreatedAt: at(34), GatesPassedAt: at(35), Operation: 2, Revision: 2,
		DeployStartedAt: at(36), FinishedAt: at(37),
	}
}

func fullToken() store.Token {
	return store.Token{Name: "ci", Role: "deployer", Hash: strings.Repeat("0f", 32), Version: 3,
		CreatedAt: time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC), CreatedBy: "uid:1000 (alice)"}
}

func fullSecret() store.Secret {
	return store.Secret{Name: "db", Version: 2, Sealed: []byte("age-encryption.org/v1\n-> X25519 ..."),
		SetAt: time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC), SetBy: "token:ci", Via: "apply"}
}

func fullSinkCursor() store.SinkCursor {
	return store.SinkCursor{Sink: "staging/chat", Version: 4, Seq: 812, Delivered: 37,
		LastSuccess: time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC), LastError: "POST: 503 Service Unavailable",
		LastErrorAt: time.Date(2026, 12, 7, 5, 1, 0, 0, time.UTC), Failures: 2}
}

func fullLinkUse() store.LinkUse {
	return store.LinkUse{Nonce: "prod-41-approve", Action: "approve", Promotion: 7, By: "link:alice",
		UsedAt: time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)}
}
