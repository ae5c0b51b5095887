package edge

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/pebbletest"
)

// writeHook writes the hook into a folder of the test's, executable.
func writeHook(t *testing.T) string {
	t.Helper()
	pebbletest.NeedTool(t, "curl", "curl")
	file := filepath.Join(t.TempDir(), "dns-hook")
	if err := os.WriteFile(file, []byte(pebbletest.DNSHook), 0o755); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDNSWildcard: a wildcard host's certificate is obtained over
// DNS-01, the hook setting the TXT record in pebble's DNS (waiting
// until that DNS answers it), and served for any name under it; a
// plain host beside it still gets its own over HTTP-01.
func TestDNSWildcard(t *testing.T) {
	s := newStand(t)
	p := pebbletest.Start(t, s.httpPort, s.tport)
	hook := writeHook(t)
	s.start(t, Config{ACME: &ACME{Directory: p.Directory, CARoot: p.CAFile, Email: "ops@shop.test",
		DNS: &DNS{Command: []string{hook, p.DNSManagement}, Dir: filepath.Dir(hook), Resolvers: []string{p.DNS}}}})
	if err := s.route(t, "shop", []string{"*.shop.test", "shop.test"}, nil); err != nil {
		t.Fatal(err)
	}
	s.waitEvent(t, Obtained, "*.shop.test", false)
	s.waitEvent(t, Obtained, "shop.test", false)
	c := s.client(p.Root(t), nil, true)
	for _, h := range []string{"a.shop.test", "www.shop.test", "shop.test"} {
		code, body, resp := get(t, c, fmt.Sprintf("https://%s:%d/", h, s.tport))
		if code != 200 || !strings.Contains(body, "host="+h) || !strings.Contains(body, "xfp=https") || resp.ProtoMajor != 2 {
			t.Fatalf("%s: %d %s %s", h, code, resp.Proto, body)
		}
	}
	if names := s.served(t, "a.shop.test").DNSNames; len(names) != 1 || names[0] != "*.shop.test" {
		t.Fatalf("a.shop.test is served a certificate for %v", names)
	}
}

// TestDNSHookFails: a hook that fails gives a Failed event saying what
// it printed, a secret in its environment blanked out, and no
// certificate: a handshake for a name under the wildcard fails.
func TestDNSHookFails(t *testing.T) {
	s := newStand(t)
	p := pebbletest.Start(t, s.httpPort, s.tport)
	hook := writeHook(t)
	reveal := func(_ context.Context, name string) (string, error) {
		if name != "dns_token" {
			return "", fmt.Errorf("secret %s is not stored", name)
		}
		return "s3cr3t-token", nil
	}
	// A name of its own: certmagic retries failed names process-wide.
	zone := fmt.Sprintf("f%d.shop.test", time.Now().UnixNano())
	s.start(t, Config{ACME: &ACME{Directory: p.Directory, CARoot: p.CAFile,
		DNS: &DNS{Command: []string{hook, p.DNSManagement}, Env: map[string]string{"FAIL": "1", "DNS_TOKEN": "${secret.dns_token}"}, Reveal: reveal}}})
	if err := s.route(t, "shop", []string{"*." + zone}, nil); err != nil {
		t.Fatal(err)
	}
	ev := s.waitEvent(t, Failed, "*."+zone, false)
	t.Logf("failed: %s", ev.Err)
	for _, want := range []string{"DNS hook " + hook + " present _acme-challenge." + zone + ".", "exit status 3", "provider refused the token [secret]"} {
		if !strings.Contains(ev.Err, want) {
			t.Errorf("the event says %q, not %q", ev.Err, want)
		}
	}
	if strings.Contains(ev.Err, "s3cr3t") {
		t.Fatal("the event holds the secret")
	}
	conn, err := tls.Dial("tcp", s.tls, &tls.Config{ServerName: "a." + zone, InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Fatal("a handshake for a name under a wildcard without a certificate succeeded")
	}
}

// TestDNSPropagationTimeout: a hook that says it set the record when it
// did not is caught by the resolvers' check: a Failed event saying which
// resolver never answered it, before the CA is asked to look.
func TestDNSPropagationTimeout(t *testing.T) {
	s := newStand(t)
	p := pebbletest.Start(t, s.httpPort, s.tport)
	zone := fmt.Sprintf("p%d.shop.test", time.Now().UnixNano())
	s.start(t, Config{ACME: &ACME{Directory: p.Directory, CARoot: p.CAFile,
		DNS: &DNS{Command: []string{"true"}, Resolvers: []string{p.DNS}, PropagationTimeout: time.Second}}})
	if err := s.route(t, "shop", []string{"*." + zone}, nil); err != nil {
		t.Fatal(err)
	}
	ev := s.waitEvent(t, Failed, "*."+zone, false)
	if want := "the TXT record _acme-challenge." + zone + ". did not reach resolver " + p.DNS + " within 1s"; !strings.Contains(ev.Err, want) {
		t.Fatalf("the event says %q, not %q", ev.Err, want)
	}
}
