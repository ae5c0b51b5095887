// Package pebbletest starts a real ACME CA for tests: Debian's pebble
// on loopback, with pebble-challtestsrv as its DNS (every name resolves
// to 127.0.0.1), so that its validations reach the server under test.
// Test support: imported by test files only.
package pebbletest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CA is a running pebble.
type CA struct {
	Directory string // the ACME directory URL
	CAFile    string // the root of pebble's own HTTPS certificate
	// DNS is pebble's DNS server (challtestsrv, host:port), and
	// DNSManagement its management API (http, /set-txt, /clear-txt):
	// a DNS-01 hook sets the TXT records pebble looks up there.
	DNS, DNSManagement string
	mgmt               string // pebble's management address
}

// NeedTool fails under CI (SLIPWAY_CI=1) when a tool is missing, and
// skips with how to install it otherwise.
func NeedTool(t *testing.T, tool, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("SLIPWAY_CI") == "1" {
			t.Fatalf("%s is not installed (apt-get install %s)", tool, pkg)
		}
		t.Skipf("%s is not installed: apt-get install %s", tool, pkg)
	}
}

// Start starts pebble validating HTTP-01 on httpPort and TLS-ALPN-01 on
// tlsPort, until the test ends; env adds pebble's environment (e.g.
// PEBBLE_VA_ALWAYS_VALID=1).
func Start(t *testing.T, httpPort, tlsPort int, env ...string) *CA {
	t.Helper()
	NeedTool(t, "pebble", "pebble")
	NeedTool(t, "pebble-challtestsrv", "pebble")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "pebble.pem"), filepath.Join(dir, "pebble.key")
	WriteSelfSigned(t, certFile, keyFile, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, time.Now().Add(24*time.Hour))
	dns, dnsMgmt, api, mgmt := FreeAddr(t), FreeAddr(t), FreeAddr(t), FreeAddr(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress": api, "managementListenAddress": mgmt,
		"certificate": certFile, "privateKey": keyFile,
		"httpPort": httpPort, "tlsPort": tlsPort, "ocspResponderURL": "",
		"externalAccountBindingRequired": false,
	}}
	data, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(dir, "pebble.json")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	startProc(t, exec.Command("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
		"-dns01", dns, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", dnsMgmt))
	cmd := exec.Command("pebble", "-config", cfgFile, "-dnsserver", dns)
	cmd.Env = append(os.Environ(), append([]string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"}, env...)...)
	startProc(t, cmd)
	p := &CA{Directory: "https://" + api + "/dir", CAFile: certFile, DNS: dns, DNSManagement: "http://" + dnsMgmt, mgmt: mgmt}
	waitUp(t, p.client(), p.Directory)
	return p
}

// startProc starts cmd, its output in the test's log on failure, and
// ends it (by its own PID) when the test ends.
func startProc(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s:\n%s", cmd.Path, tail(out.String(), 4000))
		}
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// client trusts pebble's own HTTPS certificate.
func (p *CA) client() *http.Client {
	data, err := os.ReadFile(p.CAFile)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(data)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// Root returns the root pebble issues certificates under, from its
// management endpoint.
func (p *CA) Root(t *testing.T) *x509.CertPool {
	t.Helper()
	resp, err := p.client().Get("https://" + p.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatalf("pebble's root: %s", data)
	}
	return pool
}

// Misdirect makes host resolve to 127.0.0.2, where nothing answers:
// pebble's validations of it fail.
func (p *CA) Misdirect(t *testing.T, host string) {
	t.Helper()
	body := fmt.Sprintf(`{"host":%q,"addresses":["127.0.0.2"]}`, host+".")
	resp, err := http.Post(p.DNSManagement+"/add-a", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func waitUp(t *testing.T, c *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func FreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WriteSelfSigned writes a self-signed ECDSA P-256 certificate and its
// key (0600).
func WriteSelfSigned(t *testing.T, certFile, keyFile string, names []string, ips []net.IP, notAfter time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: names[0]}, DNSNames: names, IPAddresses: ips,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// DNSHook is a DNS-01 hook (run as DNSHook API present|cleanup FQDN
// VALUE, API being DNSManagement) that sets and clears TXT records
// through challtestsrv's management API, as a hook for a real DNS
// provider calls its API. FAIL in its environment makes it fail, saying
// $DNS_TOKEN; with WANT_TOKEN set, a DNS_TOKEN that differs fails it.
const DNSHook = `#!/bin/sh
set -e
api=$1 action=$2 fqdn=$3 value=$4
if [ -n "$FAIL" ]; then echo "provider refused the token $DNS_TOKEN" >&2; exit 3; fi
if [ -n "$WANT_TOKEN" ] && [ "$DNS_TOKEN" != "$WANT_TOKEN" ]; then echo "wrong token" >&2; exit 4; fi
case $action in
present) curl -sf -X POST -d "{\"host\":\"$fqdn\",\"value\":\"$value\"}" "$api/set-txt" ;;
cleanup) curl -sf -X POST -d "{\"host\":\"$fqdn\"}" "$api/clear-txt" ;;
*) echo "unknown action $action" >&2; exit 2 ;;
esac
`
