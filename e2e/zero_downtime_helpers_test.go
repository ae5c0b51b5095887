package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/loadgen"
)

// zdHost is the Host the shop service is routed at in shopSpec.
const zdHost = "shop.localhost"

// shopSpec is app with one 3-instance service, shop, routed at zdHost and
// run by the order binary. env is the body of its env map ("VERSION: v1",
// maybe followed by ", KEY: value" pairs) and strategy its strategy, one
// line of YAML flow style.
func shopSpec(app, env, strategy string) string {
	return fmt.Sprintf(`app: %s
services:
  shop:
    run: ["./bin/order", "--name", "shop", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {%s}
    instances: 3
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: %s}
    stopGrace: 2s
    strategy:
      %s
`, app, env, zdHost, strategy)
}

// zdApp is a server running the shop service, and the spec file it was
// applied from.
type zdApp struct {
	srv  *server
	dir  string
	file string
	// tls, when set, serves shop over the server's TLS router with a
	// certificate of its own, and every request goes there (tls_test.go).
	tls *zdTLS
}

// startZDApp starts a server, applies v1 of the zd app and waits until the
// router serves it.
func startZDApp(t *testing.T) *zdApp {
	t.Helper()
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.file = a.write("v1", "", "20s")
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 5*time.Second)
	return a
}

// write rewrites the spec file with the zd app: shop at the given
// version, with extra env, rolling with the given progress deadline
// (maxUnavailable 0 and maxSurge 1: a rolling update replaces one instance
// at a time while three stay in rotation); it returns the file's path.
func (a *zdApp) write(version, env, deadline string) string {
	spec := shopSpec("zd", "VERSION: "+version+env,
		"rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: "+deadline+"}")
	return writeSpec(a.srv.t, a.dir, "slipway.yaml", a.routed(spec))
}

// routerURL is the router's root (its TLS listener's with tls).
func (a *zdApp) routerURL() string {
	if a.tls != nil {
		return "https://" + a.tls.addr + "/"
	}
	return "http://" + a.srv.router + "/"
}

// get sends one request through the router and returns the version that
// answered.
func (a *zdApp) get(c *http.Client) (string, error) { return a.getWith(c, nil) }

// getWith is get with extra request headers.
func (a *zdApp) getWith(c *http.Client, h http.Header) (string, error) {
	req, err := http.NewRequest(http.MethodGet, a.routerURL(), nil)
	if err != nil {
		return "", err
	}
	req.Host = zdHost
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("decode %q: %w", b, err)
	}
	return m["version"], nil
}

// versions sends n requests through the router and counts the versions
// that answered them (errors count under "error: ...").
func (a *zdApp) versions(n int) map[string]int { return a.versionsWith(n, nil) }

// versionsWith is versions with extra request headers.
func (a *zdApp) versionsWith(n int, h http.Header) map[string]int {
	c := a.client()
	defer c.CloseIdleConnections()
	out := map[string]int{}
	for range n {
		v, err := a.getWith(c, h)
		if err != nil {
			v = "error: " + err.Error()
		}
		out[v]++
	}
	return out
}

// waitServes waits until 30 requests in a row through the router are all
// answered by version.
func (a *zdApp) waitServes(version string, timeout time.Duration) {
	a.srv.t.Helper()
	waitFor(a.srv.t, timeout, "router serves only "+version, func() (bool, string) {
		got := a.versions(30)
		return got[version] == 30, fmt.Sprint(got)
	})
}

// checkServes fails the test unless every one of n requests through the
// router is answered by version now.
func (a *zdApp) checkServes(version string, n int) {
	a.srv.t.Helper()
	if got := a.versions(n); got[version] != n {
		a.srv.t.Errorf("after the release, %d requests through the router were answered by %v; want all by %s", n, got, version)
	}
}

// load is a loadgen run in the background, with a prober beside it that
// records which version answered over time.
type load struct {
	cancel context.CancelFunc
	done   chan loadgen.Result
	start  time.Time
	probe  *prober
}

// startLoad sends 16 workers' worth of requests through the router
// until stop; it is bounded by limit whatever happens.
func (a *zdApp) startLoad(limit time.Duration) *load {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	l := &load{cancel: cancel, done: make(chan loadgen.Result, 1), start: time.Now(), probe: &prober{done: make(chan struct{})}}
	go func() {
		l.done <- loadgen.Run(ctx, loadgen.Config{URL: a.routerURL(), Host: zdHost, Workers: 16, Timeout: 5 * time.Second, TLS: a.tlsConfig()})
	}()
	go l.probe.run(ctx, a)
	return l
}

// stop ends the load and returns its counts and how long it ran.
func (l *load) stop() (loadgen.Result, time.Duration) {
	l.cancel()
	res := <-l.done
	<-l.probe.done
	return res, time.Since(l.start)
}

// prober sends one request at a time through the router and remembers
// the versions that answered, in order, with the time of each change.
type prober struct {
	mu      sync.Mutex // guards changes, counts, errs
	changes []string   // "version at +elapsed" each time the answer changed
	counts  map[string]int
	errs    int
	last    string
	done    chan struct{} // closed when run returns
}

func (p *prober) run(ctx context.Context, a *zdApp) {
	defer close(p.done)
	c := a.client()
	defer c.CloseIdleConnections()
	start := time.Now()
	for ctx.Err() == nil {
		v, err := a.get(c)
		if ctx.Err() != nil {
			return
		}
		p.record(v, err, time.Since(start))
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *prober) record(v string, err error, at time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counts == nil {
		p.counts = map[string]int{}
	}
	if err != nil {
		p.errs++
		return
	}
	p.counts[v]++
	if v != p.last {
		p.changes = append(p.changes, fmt.Sprintf("%s at +%s", v, at.Round(time.Millisecond)))
		p.last = v
	}
}

// seen returns how many probes each version answered.
func (p *prober) seen() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

func (p *prober) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("probes by version %v, %d errors; answers changed: %s", p.counts, p.errs, strings.Join(p.changes, ", "))
}

// checkNoFailures logs the counts of a scenario's load and fails the
// test if any request failed.
func checkNoFailures(t *testing.T, scenario string, res loadgen.Result, took time.Duration, p *prober) {
	t.Helper()
	t.Logf("%s: %d requests in %s (%.0f/s), %d failed; %s", scenario, res.Sent, took.Round(time.Millisecond),
		float64(res.Sent)/took.Seconds(), res.Failed, p)
	if res.Sent == 0 {
		t.Errorf("%s: the load generator sent no request", scenario)
	}
	if res.Failed != 0 {
		t.Errorf("%s: %d of %d requests through the router failed; some errors: %q", scenario, res.Failed, res.Sent, res.Errors)
	}
}

// asyncCLI starts the slipway CLI against srv, bounded by timeout. done
// closes when it has exited; wait (on the test goroutine) returns its
// result and when it exited.
func asyncCLI(srv *server, timeout time.Duration, args ...string) (done <-chan struct{}, wait func() (result, time.Time)) {
	c := newCLIRun(timeout, append([]string{"--server", srv.url, "--token-file", srv.tokenFile()}, args...))
	exited := make(chan struct{})
	var (
		err error
		at  time.Time
	)
	if err = c.cmd.Start(); err != nil {
		close(exited)
	} else {
		go func() { err = c.cmd.Wait(); at = time.Now(); close(exited) }()
	}
	return exited, func() (result, time.Time) {
		srv.t.Helper()
		<-exited
		return c.result(srv.t, err), at
	}
}

// classify splits loadgen error strings into answers the router gave
// (status >= 500) and requests that got no answer at all.
func classify(errs []string) (statuses, connErrs []string) {
	for _, e := range errs {
		if strings.HasPrefix(e, "status ") {
			statuses = append(statuses, e)
		} else {
			connErrs = append(connErrs, e)
		}
	}
	slices.Sort(statuses)
	return statuses, connErrs
}
