package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/pebbletest"
)

// dnsSpec is shop routed at *.shop.test, whose certificate comes over
// DNS-01 from pebble through the spec's hook, given the token secret.
func dnsSpec(ca *pebbletest.CA, fail string) string {
	return fmt.Sprintf(`app: shop
secrets:
  dns_token: {fromFile: ./token}
tls:
  acme:
    directory: %q
    caRoot: %q
    dns:
      exec: [./dns-hook, %q]
      env: {DNS_TOKEN: "${secret.dns_token}", WANT_TOKEN: t0ken-e2e, FAIL: %q}
      resolvers: [%q]
services:
  shop:
    run: ["./bin/order", "--name", "shop", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1}
    health: {readiness: {http: /healthz, interval: 200ms}}
    route: {hosts: ["*.shop.test"]}
`, ca.Directory, ca.CAFile, ca.DNSManagement, fail, ca.DNS)
}

// TestTLSWildcardDNS: through the server, a wildcard host's certificate
// is obtained over DNS-01 by the spec's hook (run by the server, as an
// unprivileged user when it is root, with the secret it references) and
// served for a.shop.test; a hook that fails is an event saying why,
// the token blanked out.
func TestTLSWildcardDNS(t *testing.T) {
	pebbletest.NeedTool(t, "pebble", "pebble")
	pebbletest.NeedTool(t, "curl", "curl")
	tlsAddr := freeAddr(t)
	srv := startServer(t, t.TempDir(), "--router-tls", tlsAddr)
	ca := pebbletest.Start(t, port(t, srv.router), port(t, tlsAddr))
	dir := specDir(t)
	// The hook runs as the server's dynamic user when it is root: it
	// needs to reach the spec's folder.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "dns-hook"), []byte(pebbletest.DNSHook), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("t0ken-e2e\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	file := writeSpec(t, dir, "slipway.yaml", dnsSpec(ca, ""))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	c := hostClient(tlsAddr, srv.router, ca.Root(t))
	waitFor(t, 60*time.Second, "https://a.shop.test answered with pebble's wildcard certificate", func() (bool, string) {
		resp, err := c.Get("https://a.shop.test/")
		if err != nil {
			return false, err.Error() + " " + fmt.Sprint(eventTypes(srv.events()))
		}
		resp.Body.Close()
		names := resp.TLS.PeerCertificates[0].DNSNames
		return resp.StatusCode == 200 && len(names) == 1 && names[0] == "*.shop.test", fmt.Sprint(resp.Status, names)
	})
	waitEvent(t, srv, "router.certificate.obtained", "*.shop.test")

	// Another wildcard, and a hook that fails: an event, no certificate.
	file = writeSpec(t, dir, "slipway.yaml", strings.Replace(dnsSpec(ca, "1"), "*.shop.test", "*.fail.shop.test", 1))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	waitEvent(t, srv, "router.certificate.failed", "provider refused the token [secret]")
	for _, e := range srv.events() {
		if e.Type == "router.certificate.failed" && strings.Contains(e.Message, "t0ken-e2e") {
			t.Fatalf("an event holds the token: %s", e.Message)
		}
	}
	if resp, err := c.Get("https://a.fail.shop.test/"); err == nil {
		resp.Body.Close()
		t.Fatalf("a.fail.shop.test answered %s without a certificate", resp.Status)
	}
}
