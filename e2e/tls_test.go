package e2e

// Zero downtime over TLS: the rolling, blue/green and canary scenarios
// of zero_downtime_test.go, with shop served on the server's TLS router
// (--router-tls) by a certificate of its own, every request over HTTP/2.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// zdTLS is where shop is served over TLS, and the root its certificate
// is checked against.
type zdTLS struct {
	addr  string
	roots *x509.CertPool
}

// routed rewrites shop's route for TLS: its hosts and certificate.
func (a *zdApp) routed(spec string) string {
	if a.tls == nil {
		return spec
	}
	return strings.Replace(spec, "route: {host: "+zdHost+"}",
		"route: {hosts: ["+zdHost+"], certificate: {cert: ./tls/shop.pem, key: ./tls/shop.key}}", 1)
}

// tlsConfig is a client's: shop's certificate checked, HTTP/2 offered.
func (a *zdApp) tlsConfig() *tls.Config {
	if a.tls == nil {
		return nil
	}
	return &tls.Config{RootCAs: a.tls.roots, ServerName: zdHost, NextProtos: []string{"h2", "http/1.1"}}
}

// client is an HTTP client for the router (TLS and HTTP/2 with tls).
func (a *zdApp) client() *http.Client {
	if a.tls == nil {
		return &http.Client{Timeout: 5 * time.Second}
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: a.tlsConfig(), ForceAttemptHTTP2: true}}
}

// startTLSApp starts a server with a TLS router, writes shop's
// certificate beside the spec, applies v1 with write and waits until
// the TLS router serves it.
func startTLSApp(t *testing.T, write func(a *zdApp) string) *zdApp {
	t.Helper()
	tlsAddr := freeAddr(t)
	a := &zdApp{srv: startServer(t, t.TempDir(), "--router-tls", tlsAddr, "--router-access-log"), dir: specDir(t)}
	a.tls = &zdTLS{addr: tlsAddr, roots: writeCertificate(t, filepath.Join(a.dir, "tls"), zdHost)}
	a.file = write(a)
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 10*time.Second)
	return a
}

// writeCertificate writes an ECDSA P-256 certificate for host and its
// key (0600) as shop.pem and shop.key in dir; it returns a pool that
// trusts it.
func writeCertificate(t *testing.T, dir, host string) *x509.CertPool {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(filepath.Join(dir, "shop.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shop.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// TestTLSZeroDowntime releases v2 under load over TLS and HTTP/2 with
// each strategy; not one request may fail.
func TestTLSZeroDowntime(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(a *zdApp, version string) string
	}{
		{"rolling", func(a *zdApp, v string) string { return a.write(v, "", "20s") }},
		{"blueGreen", func(a *zdApp, v string) string { return a.writeBG(v, true, "1s") }},
		{"canary", func(a *zdApp, v string) string {
			return a.writeCanary(v, "", "[{setWeight: 50}, {pause: 1s}]", "500ms")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := startTLSApp(t, func(a *zdApp) string { return c.write(a, "v1") })
			checkHTTP2(t, a)
			l := a.startLoad(loadLimit)
			time.Sleep(300 * time.Millisecond)
			r := a.srv.cli("apply", "-f", c.write(a, "v2"), "--wait", "--timeout", "60s")
			time.Sleep(300 * time.Millisecond)
			res, took := l.stop()
			if r.code != 0 {
				t.Fatalf("apply v2 failed:\n%s", r)
			}
			checkNoFailures(t, c.name+" over TLS", res, took, l.probe)
			a.waitServes("v2", 10*time.Second)
			checkAccessLog(t, a)
		})
	}
}

// checkHTTP2 checks that the TLS router speaks HTTP/2 and that plain
// HTTP still reaches shop.
func checkHTTP2(t *testing.T, a *zdApp) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.routerURL(), nil)
	req.Host = zdHost
	resp, err := a.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("over TLS: %s, want HTTP/2", resp.Proto)
	}
	plain, err := http.NewRequest(http.MethodGet, "http://"+a.srv.router+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	plain.Host = zdHost
	presp, err := http.DefaultClient.Do(plain)
	if err != nil {
		t.Fatal(err)
	}
	presp.Body.Close()
	if presp.StatusCode != 200 {
		t.Fatalf("plain HTTP: %d", presp.StatusCode)
	}
}

// checkAccessLog checks that the access log has a line per request
// served over HTTP/2, each naming the instance that answered.
func checkAccessLog(t *testing.T, a *zdApp) {
	t.Helper()
	var e struct {
		Proto, Instance, TraceID string
		Revision, Status         int
	}
	file := filepath.Join(a.srv.data, "access", "default.log")
	waitFor(t, 5*time.Second, "an HTTP/2 line in "+file, func() (bool, string) {
		data, err := os.ReadFile(file)
		if err != nil {
			return false, err.Error()
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil {
			return false, err.Error()
		}
		return e.Proto == "HTTP/2.0" && e.Instance != "" && e.Revision > 0 && e.Status == 200 && len(e.TraceID) == 32,
			fmt.Sprintf("%d lines, the last %+v", len(lines), e)
	})
}

// TestEnvironmentTLS: an environment's tls.address is its own TLS
// router, opened when the environment is created and again when the
// server restarts on the same data, and moved, without a restart, by an
// apply that changes it.
func TestEnvironmentTLS(t *testing.T) {
	data, dir := t.TempDir(), specDir(t)
	roots := writeCertificate(t, filepath.Join(dir, "tls"), zdHost)
	tlsAddr := freeAddr(t)
	text := strings.Replace(shopSpec("envtls", "VERSION: v1", "rolling: {}"), "route: {host: "+zdHost+"}",
		"route: {hosts: ["+zdHost+"], certificate: {cert: ./tls/shop.pem, key: ./tls/shop.key}}", 1) +
		"environments:\n  staging:\n    tls: {address: " + tlsAddr + "}\n"
	file := writeSpec(t, dir, "slipway.yaml", text)
	get := func(srv *server) {
		t.Helper()
		a := &zdApp{srv: srv, tls: &zdTLS{addr: tlsAddr, roots: roots}}
		waitFor(t, 15*time.Second, "staging over TLS at "+tlsAddr, func() (bool, string) {
			v, err := a.get(a.client())
			return err == nil && v == "v1", fmt.Sprint(v, err)
		})
	}
	srv := startServer(t, data)
	srv.mustCLI("apply", "-f", file, "--env", "staging", "--wait", "--timeout", "60s")
	get(srv)
	srv.kill()
	srv = startServer(t, data)
	get(srv)

	old := tlsAddr
	tlsAddr = freeAddr(t)
	writeSpec(t, dir, "slipway.yaml", strings.Replace(text, old, tlsAddr, 1))
	srv.mustCLI("apply", "-f", file, "--env", "staging", "--wait", "--timeout", "60s")
	get(srv)
	if c, err := net.DialTimeout("tcp", old, time.Second); err == nil {
		c.Close()
		t.Fatalf("the old TLS address %s still accepts connections after the move", old)
	}
}

// TestEnvironmentTLSLive: an apply that gives an environment a
// tls.address opens its TLS listener, and one that takes it away closes
// it, the server running on; plain HTTP serves all along.
func TestEnvironmentTLSLive(t *testing.T) {
	data, dir := t.TempDir(), specDir(t)
	roots := writeCertificate(t, filepath.Join(dir, "tls"), zdHost)
	tlsAddr := freeAddr(t)
	plain := strings.Replace(shopSpec("envtls", "VERSION: v1", "rolling: {}"), "route: {host: "+zdHost+"}",
		"route: {hosts: ["+zdHost+"], certificate: {cert: ./tls/shop.pem, key: ./tls/shop.key}}", 1) +
		"environments:\n  staging: {}\n"
	withTLS := strings.Replace(plain, "staging: {}", "staging:\n    tls: {address: "+tlsAddr+"}", 1)
	file := writeSpec(t, dir, "slipway.yaml", plain)
	srv := startServer(t, data)
	srv.mustCLI("apply", "-f", file, "--env", "staging", "--wait", "--timeout", "60s")
	refused := func(what string) {
		t.Helper()
		waitFor(t, 15*time.Second, what, func() (bool, string) {
			c, err := net.DialTimeout("tcp", tlsAddr, time.Second)
			if err == nil {
				c.Close()
			}
			return err != nil, fmt.Sprint(err)
		})
	}
	refused("no TLS listener at " + tlsAddr + " before tls:")

	writeSpec(t, dir, "slipway.yaml", withTLS)
	srv.mustCLI("apply", "-f", file, "--env", "staging", "--wait", "--timeout", "60s")
	a := &zdApp{srv: srv, tls: &zdTLS{addr: tlsAddr, roots: roots}}
	waitFor(t, 15*time.Second, "staging over TLS at "+tlsAddr+" once tls: is applied", func() (bool, string) {
		v, err := a.get(a.client())
		return err == nil && v == "v1", fmt.Sprint(v, err)
	})

	writeSpec(t, dir, "slipway.yaml", plain)
	srv.mustCLI("apply", "-f", file, "--env", "staging", "--wait", "--timeout", "60s")
	refused("the TLS listener at " + tlsAddr + " closed once tls: is gone")
}
