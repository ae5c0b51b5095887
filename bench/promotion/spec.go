package main

import "fmt"

// service is the one service, in both environments.
const service = "order"

// appSpec is the app: order, one instance of ./examples/order with a
// readiness check, its artifact labelled version (pinned to digest when
// given, as `slipway apply` sends it after the upload), and the two
// environments: prod takes what staging runs, once someone approves.
func appSpec(version, digest string) string {
	pin := ""
	if digest != "" {
		pin = fmt.Sprintf(", digest: %q", digest)
	}
	return fmt.Sprintf(`app: bench
services:
  %[1]s:
    run: ["./bin/order", "--name", "%[1]s", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: %[2]s%[3]s}
    instances: 1
    health:
      readiness: {http: /healthz}
environments:
  staging: {}
  prod:
    from: staging
    gates: [{approval: {}}]
`, service, version, pin)
}
