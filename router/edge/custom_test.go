package edge

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/pebbletest"
	"github.com/slipway-dev/slipway/router"
)

// pair writes a self-signed certificate for names into dir and returns
// its files and a pool trusting it.
func pair(t *testing.T, dir, name string, names ...string) (*router.RouteTLS, *x509.CertPool) {
	t.Helper()
	certFile, keyFile := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	cert := pebbletest.WriteSelfSigned(t, certFile, keyFile, names, nil, time.Now().Add(24*time.Hour))
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &router.RouteTLS{CertFile: certFile, KeyFile: keyFile}, pool
}

// TestCustomCertificates: SNI picks each route's own certificate, a
// wildcard's covers its subdomains, over HTTP/1.1 and HTTP/2; answers
// carry HSTS; the backend sees https.
func TestCustomCertificates(t *testing.T) {
	dir := t.TempDir()
	s := newStand(t)
	s.start(t, Config{HSTS: "max-age=31536000; includeSubDomains"})
	shopTLS, shopRoots := pair(t, dir, "shop", "shop.example")
	wildTLS, wildRoots := pair(t, dir, "wild", "*.api.example")
	must(t, s.route(t, "shop", []string{"shop.example"}, shopTLS))
	must(t, s.route(t, "api", []string{"*.api.example"}, wildTLS))
	for _, h2 := range []bool{false, true} {
		for _, c := range []struct {
			host  string
			roots *x509.CertPool
		}{{"shop.example", shopRoots}, {"eu.api.example", wildRoots}, {"us.api.example", wildRoots}} {
			code, body, resp := get(t, s.client(c.roots, nil, h2), fmt.Sprintf("https://%s:%d/", c.host, s.tport))
			wantProto := map[bool]string{false: "HTTP/1.1", true: "HTTP/2.0"}[h2]
			if code != 200 || !strings.Contains(body, "host="+c.host) || !strings.Contains(body, "xfp=https") || resp.Proto != wantProto {
				t.Fatalf("%s h2=%v: %d %s %s", c.host, h2, code, resp.Proto, body)
			}
			if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
				t.Fatalf("HSTS: %q", got)
			}
			if !strings.Contains(body, "proto=HTTP/1.1") {
				t.Fatalf("the backend is not reached over HTTP/1.1: %s", body)
			}
		}
	}
	// A host no route names, and a name the wildcard does not cover, get
	// no certificate.
	for _, h := range []string{"other.example", "a.b.api.example"} {
		if _, err := tls.Dial("tcp", s.tls, &tls.Config{ServerName: h, InsecureSkipVerify: true}); err == nil {
			t.Fatalf("%s got a certificate", h)
		}
	}
}

// TestCurlHTTP2: curl --http2 negotiates h2 with the edge.
func TestCurlHTTP2(t *testing.T) {
	pebbletest.NeedTool(t, "curl", "curl")
	dir := t.TempDir()
	s := newStand(t)
	s.start(t, Config{})
	shopTLS, _ := pair(t, dir, "shop", "shop.example")
	must(t, s.route(t, "shop", []string{"shop.example"}, shopTLS))
	out, err := exec.Command("curl", "-sS", "--http2", "--cacert", shopTLS.CertFile,
		"--resolve", fmt.Sprintf("shop.example:%d:127.0.0.1", s.tport),
		"-w", "\n%{http_version} %{http_code}", fmt.Sprintf("https://shop.example:%d/", s.tport)).CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), "\n2 200") || !strings.Contains(string(out), "xfp=https") {
		t.Fatalf("curl: %v\n%s", err, out)
	}
}

// TestRedirectHTTP: plain requests get a permanent redirect to the same
// URL on the TLS listener.
func TestRedirectHTTP(t *testing.T) {
	s := newStand(t)
	s.start(t, Config{RedirectHTTP: true})
	must(t, s.route(t, "shop", []string{"shop.example"}, nil))
	code, _, resp := get(t, s.client(nil, nil, false), "http://shop.example/a/b?q=1")
	want := fmt.Sprintf("https://shop.example:%d/a/b?q=1", s.tport)
	if code != 308 || resp.Header.Get("Location") != want {
		t.Fatalf("%d %q, want 308 %q", code, resp.Header.Get("Location"), want)
	}
}

// TestMutualTLS: a route with a client CA lets in only clients with a
// certificate it signed; a connection made for another host cannot
// reach it by its Host header.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	s := newStand(t)
	s.start(t, Config{})
	internal, internalRoots := pair(t, dir, "internal", "internal.example")
	public, publicRoots := pair(t, dir, "public", "public.example")
	caTLS, _ := pair(t, dir, "clients", "clients")
	internal.ClientCAFile = caTLS.CertFile
	must(t, s.route(t, "internal", []string{"internal.example"}, internal))
	must(t, s.route(t, "public", []string{"public.example"}, public))
	clientCert, err := tls.LoadX509KeyPair(caTLS.CertFile, caTLS.KeyFile)
	must(t, err)
	url := fmt.Sprintf("https://internal.example:%d/", s.tport)
	if code, body, _ := get(t, s.client(internalRoots, &clientCert, true), url); code != 200 || !strings.Contains(body, "host=internal.example") {
		t.Fatalf("with a client certificate: %d %s", code, body)
	}
	if _, err := s.client(internalRoots, nil, false).Get(url); err == nil {
		t.Fatal("no client certificate got in")
	}
	strangerTLS, _ := pair(t, dir, "stranger", "stranger")
	stranger, err := tls.LoadX509KeyPair(strangerTLS.CertFile, strangerTLS.KeyFile)
	must(t, err)
	if _, err := s.client(internalRoots, &stranger, false).Get(url); err == nil {
		t.Fatal("a certificate the CA did not sign got in")
	}
	// A connection to public.example asking for internal.example.
	conn, err := tls.Dial("tcp", s.tls, &tls.Config{ServerName: "public.example", RootCAs: publicRoots})
	must(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: internal.example\r\n\r\n")
	buf := make([]byte, 64)
	n, _ := conn.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 421") {
		t.Fatalf("misdirected request: %q", buf[:n])
	}
}

// TestBadCertificateKeepsServing: a route's certificate replaced by one
// that cannot be served (expired, not matching its key, a key open to
// others) is an error from Update, and the host keeps the certificate
// it had.
func TestBadCertificateKeepsServing(t *testing.T) {
	dir := t.TempDir()
	s := newStand(t)
	s.start(t, Config{})
	good, roots := pair(t, dir, "good", "shop.example")
	must(t, s.route(t, "shop", []string{"shop.example"}, good))
	expired := &router.RouteTLS{CertFile: filepath.Join(dir, "old.pem"), KeyFile: filepath.Join(dir, "old.key")}
	pebbletest.WriteSelfSigned(t, expired.CertFile, expired.KeyFile, []string{"shop.example"}, nil, time.Now().Add(-time.Minute))
	other, _ := pair(t, dir, "other", "shop.example")
	open, _ := pair(t, dir, "open", "shop.example")
	must(t, os.Chmod(open.KeyFile, 0o644))
	for _, c := range []struct {
		name string
		tls  *router.RouteTLS
		want string
	}{
		{"expired", expired, "expired on"},
		{"not a pair", &router.RouteTLS{CertFile: good.CertFile, KeyFile: other.KeyFile}, "are not a pair"},
		{"open key", open, "is open to group or others (mode 0644)"},
	} {
		s.routes = nil
		err := s.route(t, "shop", []string{"shop.example"}, c.tls)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: Update: %v", c.name, err)
		}
		if code, _, _ := get(t, s.client(roots, nil, false), fmt.Sprintf("https://shop.example:%d/", s.tport)); code != 200 {
			t.Fatalf("%s: the good certificate is no longer served: %d", c.name, code)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestForwardingHeaders: behind TLS the backend gets X-Forwarded-Proto
// https, the request's host, and the router's own Forwarded, whatever
// forwarding headers the client sent (an untrusted client's Forwarded or
// X-Forwarded-* never reach it), on the router's fast path (GET) and
// through its proxy (a body).
func TestForwardingHeaders(t *testing.T) {
	dir := t.TempDir()
	s := newStand(t)
	s.start(t, Config{})
	shopTLS, roots := pair(t, dir, "shop", "shop.example")
	must(t, s.route(t, "shop", []string{"shop.example"}, shopTLS))
	c := s.client(roots, nil, true)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req, err := http.NewRequest(method, fmt.Sprintf("https://shop.example:%d/", s.tport), strings.NewReader("body"))
		must(t, err)
		if method == http.MethodGet {
			req.Body, req.ContentLength = nil, 0
		}
		req.Header.Set("Forwarded", "for=10.0.0.1;proto=http")
		req.Header.Set("X-Forwarded-Proto", "http")
		req.Header.Set("X-Forwarded-Host", "evil.example")
		resp, err := c.Do(req)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf(`xfp=https fwd="for=127.0.0.1;host=\"shop.example:%d\";proto=https" xfh=shop.example`, s.tport)
		if !strings.Contains(string(body), want) {
			t.Fatalf("%s: the backend saw %s; want %s", method, body, want)
		}
	}
}

// TestWildcardWithoutCertificate: a wildcard host with no certificate of
// its own is an error from Update (ACME cannot issue it here).
func TestWildcardWithoutCertificate(t *testing.T) {
	s := newStand(t)
	s.start(t, Config{})
	err := s.route(t, "api", []string{"*.api.example"}, nil)
	if err == nil || !strings.Contains(err.Error(), "host *.api.example has no certificate of its own") || !strings.Contains(err.Error(), "needs tls.acme.dns") {
		t.Fatalf("Update: %v", err)
	}
}
