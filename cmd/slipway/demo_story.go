package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/internal/loadgen"
)

// demoSpec is the example app; version and extra env vary by release.
const demoSpec = `app: shop
services:
  order:
    run: ["./bin/shop", "example-app", "--name", "order", "--port", "${PORT}"]
    artifact: {path: bin/shop, version: %[1]s}
    env: {VERSION: %[1]s%[2]s}
    instances: 2
    resources: {memory: 128Mi, pids: 64}
    health:
      readiness: {http: /healthz, interval: 1s}
      liveness: {http: /healthz, interval: 5s}
    route: {host: order.localhost}
    strategy:
      canary:
        steps: [{setWeight: 20}, {analysis: {count: 2}}, {setWeight: 50}, {pause: 4s}]
        progressDeadline: 20s
        analysis:
          interval: 2s
          metrics:
            - {name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.99"}
            - {name: latency, provider: router, metric: latencyP99, compare: baseline, floor: 0.05, minSamples: 5}
  invoice:
    run: ["./bin/shop", "example-app", "--name", "invoice", "--port", "${PORT}"]
    artifact: {path: bin/shop, version: v1}
    env: {VERSION: v1}
    instances: 3
    resources: {cpu: 0.5, memory: 128Mi, pids: 64}
    health:
      readiness: {http: /healthz, interval: 1s, timeout: 1s, failureThreshold: 3}
    route: {path: /invoice}
    dependsOn: [order]
`

func (d *demo) writeSpec(version, extraEnv string) (string, error) {
	path := filepath.Join(d.dir, "slipway.yaml")
	return path, os.WriteFile(path, []byte(fmt.Sprintf(demoSpec, version, extraEnv)), 0o644)
}

// story tells the demo: deploy, a canary promoted by its analysis, a
// bad canary rolled back on its own.
func (d *demo) story(ctx context.Context) error {
	spec, err := d.writeSpec("v1", "")
	if err != nil {
		return err
	}
	d.say("1/3 Deploy the shop app: order (2 instances), then invoice (3 instances), which depends on order")
	if d.slipway(ctx, "apply", "-f", spec, "--wait") != 0 {
		return fmt.Errorf("the first deploy failed")
	}
	d.slipway(ctx, "status")
	d.showInstances(ctx)

	d.say("2/3 Release order v2 as a canary: 20%% of traffic, an analysis of its success rate and latency\n"+
		"    against v1, then 50%%, then all; 8 clients keep calling order through the router (%s, Host: order.localhost)", d.routerURL)
	if _, err := d.writeSpec("v2", ""); err != nil {
		return err
	}
	d.slipway(ctx, "plan", "-f", spec)
	res, code := d.underLoad(ctx, func() int { return d.release(ctx, spec) })
	if code != 0 {
		return fmt.Errorf("the v2 canary failed")
	}
	d.say("Requests during the canary: %s", res)
	if res.Failed > 0 {
		fmt.Fprintf(d.out, "    failures: %v\n", res.Errors)
	}
	d.slipway(ctx, "rollout", "explain", "order")

	d.say("3/3 Release order v3, which fails 20%% of its requests: its analysis fails, and all traffic\n" +
		"    goes back to v2 at once, with no human in the loop")
	if _, err := d.writeSpec("v3", ", FAIL_RATE: \"0.2\""); err != nil {
		return err
	}
	res, code = d.underLoad(ctx, func() int { return d.release(ctx, spec) })
	if svc, err := client.New(d.url).Service(ctx, "order"); code == 0 || err != nil || svc.Canary == nil || svc.Canary.Outcome != "RolledBack" {
		return fmt.Errorf("the bad v3 canary was not rolled back (watch exited %d, %v)", code, err)
	}
	d.say("As expected: v3 was rolled back by its analysis. Requests meanwhile: %s (v3 had 20%% of them,\n"+
		"    and failed one in five, until the first measurement judged it)", res)
	d.slipway(ctx, "rollout", "explain", "order")
	d.slipway(ctx, "history", "order")
	d.slipway(ctx, "status")
	d.showInstances(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.imageStory(ctx)
}

// release applies spec and follows the canary live with `slipway rollout
// watch`, which exits 0 when it is promoted and 1 when it is rolled back.
func (d *demo) release(ctx context.Context, spec string) int {
	if code := d.slipway(ctx, "apply", "-f", spec); code != 0 {
		return code
	}
	return d.slipway(ctx, "rollout", "watch", "order")
}

// underLoad runs fn while a load generator calls order through the router.
func (d *demo) underLoad(ctx context.Context, fn func() int) (loadgen.Result, int) {
	lctx, stop := context.WithCancel(ctx)
	done := make(chan loadgen.Result)
	go func() {
		done <- loadgen.Run(lctx, loadgen.Config{URL: d.routerURL + "/", Host: "order.localhost", Workers: 8})
	}()
	code := fn()
	time.Sleep(500 * time.Millisecond) // the old instances finish draining under load
	stop()
	return <-done, code
}

// showInstances calls every instance once and prints its answer.
func (d *demo) showInstances(ctx context.Context) {
	out, err := statusJSON(ctx, d.url)
	if err != nil {
		fmt.Fprintf(d.out, "could not read status: %v\n", err)
		return
	}
	fmt.Fprintf(d.out, "Through the router (%s):\n", d.routerURL)
	client0 := &http.Client{Timeout: 2 * time.Second}
	targets := []struct{ host, path string }{{"order.localhost", "/"}, {"", "/invoice"}}
	if slices.ContainsFunc(out, func(s api.Service) bool { return s.Name == "catalog" }) {
		targets = append(targets, struct{ host, path string }{"catalog.localhost", "/"})
	}
	for _, target := range targets {
		fmt.Fprintf(d.out, "  %-30s %s\n", target.host+target.path, fetchHost(ctx, client0, d.routerURL+target.path, target.host))
	}
	fmt.Fprintln(d.out, "Each instance also answers on its own port:")
	client := &http.Client{Timeout: 2 * time.Second}
	for _, s := range out {
		for _, in := range s.Instances {
			url := fmt.Sprintf("http://127.0.0.1:%d/", in.Port)
			if in.State != "Running" {
				continue // on its way out
			}
			fmt.Fprintf(d.out, "  %-9s %s  %s\n", s.Name, url, fetch(ctx, client, url))
		}
	}
}

func fetch(ctx context.Context, c *http.Client, url string) string {
	return fetchHost(ctx, c, url, "")
}

func fetchHost(ctx context.Context, c *http.Client, url, host string) string {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if host != "" {
		req.Host = host
	}
	resp, err := c.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return strings.TrimSpace(string(b))
}

func statusJSON(ctx context.Context, url string) ([]api.Service, error) {
	return client.New(url).Services(ctx)
}
