package monkey

import "fmt"

// Strategy is one kind of rollout the suite drives.
type Strategy string

// The strategies, each with the outcome its rollouts should reach.
const (
	Rolling        Strategy = "rolling"
	BlueGreen      Strategy = "blue/green (promoted)"
	CanaryPromoted Strategy = "canary (promoted)"
	CanaryRollback Strategy = "canary (analysis rolls back)"
	ParallelRun    Strategy = "parallel run"
	Promotion      Strategy = "promotion dev -> prod (gates)"
)

// Strategies lists every strategy, in the table's order.
var Strategies = []Strategy{Rolling, BlueGreen, CanaryPromoted, CanaryRollback, ParallelRun, Promotion}

// host is what the shop service is routed at.
const host = "shop.localhost"

// strategyYAML is each strategy's block, in YAML flow style.
var strategyYAML = map[Strategy]string{
	Rolling:        `rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: 30s}`,
	BlueGreen:      `blueGreen: {autoPromote: false, scaleDownDelay: 1s, progressDeadline: 30s}`,
	CanaryPromoted: `canary: {steps: [{setWeight: 50}, {pause: 1s}], progressDeadline: 30s}`,
	CanaryRollback: `canary: {steps: [{setWeight: 50}, {analysis: {count: 3}}], progressDeadline: 30s, analysis: {interval: 1s, deadline: 20s, metrics: [` +
		`{name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.95"}]}}`,
	Promotion: `rolling: {maxSurge: 1, progressDeadline: 30s}`,
	ParallelRun: `parallelRun: {duration: 2s, minRequests: 10, maxMismatchRate: 0.2, progressDeadline: 30s, ` +
		`compare: {ignoreJsonPaths: [$.version, $.revision, $.instance]}}`,
}

// Expected is the operation state a strategy's rollouts end in.
func (s Strategy) Expected() string {
	if s == CanaryRollback {
		return "RolledBack"
	}
	return "Succeeded"
}

// needsPromote says whether a person promotes the rollout.
func (s Strategy) needsPromote() bool { return s == BlueGreen }

// spec is the app: one service, shop, of two instances of the order
// binary, at version n with the strategy's block. A candidate of
// CanaryRollback fails half its requests.
func spec(s Strategy, n int) string {
	if s == Promotion {
		return pipelineSpec
	}
	env := fmt.Sprintf("VERSION: v%d", n)
	if s == CanaryRollback && n > 1 {
		env += `, FAIL_RATE: "0.5"`
	}
	return fmt.Sprintf(`app: chaos
services:
  shop:
    run: ["./bin/order", "--name", "shop", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {%s}
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
      liveness: {http: /healthz, interval: 300ms, timeout: 300ms, failureThreshold: 3}
    route: {host: %s, drainTimeout: 1s}
    stopGrace: 1s
    strategy:
      %s
`, env, host, strategyYAML[s])
}

// pipelineSpec is the app promoted from dev into prod, through an
// approval and a bake in dev; the versions are pushed artifacts.
const pipelineSpec = `app: chaos
services:
  shop:
    run: ["./bin/order", "--name", "shop", "--port", "${PORT}"]
    artifact: {path: ./bin/order}
    env: {VERSION: pipeline}
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /, drainTimeout: 1s}
    stopGrace: 1s
    strategy:
      rolling: {maxSurge: 1, progressDeadline: 30s}
environments:
  dev: {}
  prod:
    production: true
    gates:
      - approval: {}
      - bake: 1s
    overrides:
      services:
        shop: {instances: 2}
`
