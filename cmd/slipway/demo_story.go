package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
      rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: 8s}
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

// story tells the demo: deploy, a rolling update, a bad release rolled
// back on its own.
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

	d.say("2/3 Release order v2: a rolling update, one new instance ready before an old one stops,\n    while 8 clients keep calling order through the router (%s, Host: order.localhost)", d.routerURL)
	if _, err := d.writeSpec("v2", ""); err != nil {
		return err
	}
	d.slipway(ctx, "plan", "-f", spec)
	res, code := d.underLoad(ctx, func() int { return d.slipway(ctx, "apply", "-f", spec, "--wait") })
	if code != 0 {
		return fmt.Errorf("the v2 release failed")
	}
	d.say("Requests during the release: %s", res)
	if res.Failed > 0 {
		fmt.Fprintf(d.out, "    failures: %v\n", res.Errors)
	}
	d.showInstances(ctx)

	d.say("3/3 Release order v3, whose instances never become ready: the stack rolls back by itself")
	if _, err := d.writeSpec("v3", ", NEVER_READY: \"1\""); err != nil {
		return err
	}
	if d.slipway(ctx, "apply", "-f", spec, "--wait") == 0 {
		return fmt.Errorf("the bad v3 release was not rolled back")
	}
	d.say("As expected: v3 missed its progress deadline and order is back on v2, with no instance of v2 ever stopped")
	d.slipway(ctx, "history", "order")
	d.slipway(ctx, "status")
	d.showInstances(ctx)
	return ctx.Err()
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
	for _, target := range []struct{ host, path string }{{"order.localhost", "/"}, {"", "/invoice"}} {
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
