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

	d.say("2/3 Release order v2: a rolling update, one new instance ready before an old one stops")
	if _, err := d.writeSpec("v2", ""); err != nil {
		return err
	}
	d.slipway(ctx, "plan", "-f", spec)
	if d.slipway(ctx, "apply", "-f", spec, "--wait") != 0 {
		return fmt.Errorf("the v2 release failed")
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

// showInstances calls every instance once and prints its answer.
func (d *demo) showInstances(ctx context.Context) {
	out, err := statusJSON(ctx, d.url)
	if err != nil {
		fmt.Fprintf(d.out, "could not read status: %v\n", err)
		return
	}
	fmt.Fprintln(d.out, "Each instance answers on its own port:")
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
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
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
