package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/pebbletest"
)

// acmeSpec is shop routed at two hosts whose certificates come from the
// ACME directory dir (its HTTPS root in caRoot), plain HTTP redirected
// and HSTS sent.
func acmeSpec(dir, caRoot string) string {
	return fmt.Sprintf(`app: shop
tls:
  acme: {directory: %q, caRoot: %q, email: ops@shop.example}
  redirectHTTP: true
  hsts: {maxAge: 24h}
services:
  shop:
    run: ["./bin/order", "--name", "shop", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1}
    health: {readiness: {http: /healthz, interval: 200ms}}
    route: {hosts: [shop.example, www.shop.example]}
`, dir, caRoot)
}

// TestTLSFromACME: the spec's tls: section puts the TLS router under a
// real ACME CA (pebble): each route host gets a certificate a client
// verifying with pebble's root accepts, plain HTTP is redirected, HSTS
// is sent, and the log says so. A later apply naming a directory nobody
// answers is refused by no one, but is an event, and the router keeps
// serving the certificates it had.
func TestTLSFromACME(t *testing.T) {
	pebbletest.NeedTool(t, "pebble", "pebble")
	tlsAddr := freeAddr(t)
	srv := startServer(t, t.TempDir(), "--router-tls", tlsAddr)
	ca := pebbletest.Start(t, port(t, srv.router), port(t, tlsAddr))
	dir := specDir(t)
	file := writeSpec(t, dir, "slipway.yaml", acmeSpec(ca.Directory, ca.CAFile))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")

	c := hostClient(tlsAddr, srv.router, ca.Root(t))
	for _, host := range []string{"shop.example", "www.shop.example"} {
		waitFor(t, 30*time.Second, "https://"+host+" answered with pebble's certificate", func() (bool, string) {
			resp, err := c.Get("https://" + host + "/")
			if err != nil {
				return false, err.Error()
			}
			resp.Body.Close()
			return resp.StatusCode == 200 && resp.Header.Get("Strict-Transport-Security") == "max-age=86400",
				fmt.Sprint(resp.Status, " HSTS ", resp.Header.Get("Strict-Transport-Security"))
		})
	}
	resp, err := c.Get("http://shop.example/a?b=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://shop.example:" + fmt.Sprint(port(t, tlsAddr)) + "/a?b=1"; resp.StatusCode != 308 || resp.Header.Get("Location") != want {
		t.Fatalf("plain HTTP: %s %q, want 308 %q", resp.Status, resp.Header.Get("Location"), want)
	}
	waitEvent(t, srv, "router.certificate.obtained", "www.shop.example")
	if out := srv.mustCLI("status").stdout; !strings.Contains(out, "CERTIFICATE") || !strings.Contains(out, "www.shop.example") ||
		!strings.Contains(out, "obtained") {
		t.Fatalf("slipway status shows no certificates:\n%s", out)
	}

	// A directory nobody answers: an event, and the certificates stay.
	file = writeSpec(t, dir, "slipway.yaml", acmeSpec("https://"+freeAddr(t)+"/dir", ca.CAFile))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	waitEvent(t, srv, "router.tls.failed", "cannot be reached")
	resp, err = c.Get("https://shop.example/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after a bad tls: section: %s", resp.Status)
	}
}

// waitEvent waits for an event of typ whose message has words.
func waitEvent(t *testing.T, srv *server, typ, words string) {
	t.Helper()
	waitFor(t, 20*time.Second, typ+" event", func() (bool, string) {
		for _, e := range srv.events() {
			if e.Type == typ && strings.Contains(e.Message, words) {
				return true, ""
			}
		}
		return false, fmt.Sprint(eventTypes(srv.events()))
	})
}

func port(t *testing.T, addr string) int {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a.Port
}

// hostClient reaches https URLs on tlsAddr and http ones on plainAddr
// whatever their host, trusting roots, following no redirect.
func hostClient(tlsAddr, plainAddr string, roots *x509.CertPool) *http.Client {
	var d net.Dialer
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if strings.HasSuffix(addr, ":443") {
					return d.DialContext(ctx, network, tlsAddr)
				}
				return d.DialContext(ctx, network, plainAddr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
