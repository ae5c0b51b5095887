package front_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// serverTLS is a server configuration with a fresh self-signed ECDSA
// certificate for localhost, offering h2, http/1.1 and acme-tls/1.
func serverTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		NextProtos:   []string{"h2", "http/1.1", "acme-tls/1"},
	}
}

// seen is what a handler saw of one request.
type seen struct {
	path, proto, sni     string
	tls, byFront, noBody bool
}

// tlsFront serves a handler recording what it sees through the front
// over TLS, and returns its address and the record.
func tlsFront(t *testing.T, headerTimeout time.Duration) (string, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{path: r.URL.Path, proto: r.Proto, tls: r.TLS != nil, byFront: front.ServedByFront(w), noBody: r.Body == http.NoBody}
		_, _ = io.Copy(io.Discard, r.Body)
		if r.TLS != nil {
			s.sni = r.TLS.ServerName
		}
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := front.New(&http.Server{Handler: h, ReadHeaderTimeout: headerTimeout, IdleTimeout: time.Minute})
	go func() { _ = f.ServeTLS(ln, serverTLS(t)) }()
	t.Cleanup(func() { _ = f.Close() })
	return ln.Addr().String(), func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
}

func tlsClient(h2 bool) *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}, //nolint:gosec // the test's own certificate
		ForceAttemptHTTP2: h2,
	}}
}

func fetch(t *testing.T, c *http.Client, method, url string, body io.Reader) (reused bool) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
	}))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(b) != "ok" {
		t.Fatalf("%s %s: %d %q", method, url, resp.StatusCode, b)
	}
	return reused
}

// TestTLSTakesTheFront: over TLS, HTTP/1.1 requests the front reads are
// served by its own loop (its writer) on a kept connection, the others
// handed to net/http, and HTTP/2 goes to net/http's HTTP/2 server, whose
// connections stay open between requests, a request without a body
// getting http.NoBody; every request carries the handshake's state.
func TestTLSTakesTheFront(t *testing.T) {
	addr, got := tlsFront(t, 10*time.Second)
	url := "https://" + addr
	h1 := tlsClient(false)
	fetch(t, h1, "GET", url+"/a", nil)
	if !fetch(t, h1, "GET", url+"/b", nil) {
		t.Error("HTTP/1.1 over TLS: the second GET did not reuse the connection")
	}
	fetch(t, h1, "POST", url+"/p", strings.NewReader("hello"))
	h2 := tlsClient(true)
	fetch(t, h2, "GET", url+"/h2a", nil)
	if !fetch(t, h2, "GET", url+"/h2b", nil) {
		t.Error("HTTP/2: the second GET did not reuse the connection")
	}
	fetch(t, h2, "POST", url+"/h2p", strings.NewReader("hello"))
	want := []seen{
		{"/a", "HTTP/1.1", "localhost", true, true, true},
		{"/b", "HTTP/1.1", "localhost", true, true, true},
		{"/p", "HTTP/1.1", "localhost", true, false, false},
		{"/h2a", "HTTP/2.0", "localhost", true, false, true}, // bodiless: the router's fast path takes it
		{"/h2b", "HTTP/2.0", "localhost", true, false, true},
		{"/h2p", "HTTP/2.0", "localhost", true, false, false},
	}
	if g := got(); len(g) != len(want) {
		t.Fatalf("got %+v, want %+v", g, want)
	} else {
		for i := range want {
			if g[i] != want[i] {
				t.Errorf("request %d: got %+v, want %+v", i, g[i], want[i])
			}
		}
	}
}

// TestTLSConnectionsThatAreNoHTTP: a TLS-ALPN-01 validation (acme-tls/1)
// ends after its handshake, plain HTTP gets net/http's 400, and a client
// that sends nothing is closed at the header timeout.
func TestTLSConnectionsThatAreNoHTTP(t *testing.T) {
	addr, got := tlsFront(t, 200*time.Millisecond)
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"acme-tls/1"}}) //nolint:gosec // the test's own certificate
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != "acme-tls/1" {
		t.Errorf("negotiated %q, want acme-tls/1", p)
	}
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if b, _ := io.ReadAll(c); len(b) != 0 {
		t.Errorf("acme-tls/1 connection answered %q", b)
	}
	c.Close()

	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(raw, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	b, _ := io.ReadAll(raw)
	raw.Close()
	if !strings.HasPrefix(string(b), "HTTP/1.0 400 Bad Request") {
		t.Errorf("plain HTTP on the TLS port: got %q", b)
	}

	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(30 * time.Second)) // a bound for a broken test, not a measure
	if n, err := silent.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("a silent client: read %d, %v; want the connection closed", n, err)
	}
	if g := got(); len(g) != 0 {
		t.Errorf("the handler saw %+v", g)
	}
}

// TestTLSIdleConnection: over TLS too, a keep-alive connection idle past
// the release waits without buffers (on its socket, beneath crypto/tls)
// and serves its next requests, its answers held beneath TLS and sent
// with the wait for the next one.
func TestTLSIdleConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := front.New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}), IdleTimeout: time.Minute})
	go func() { _ = f.ServeTLS(ln, serverTLS(t)) }()
	t.Cleanup(func() { _ = f.Close() })
	c := tlsClient(false)
	url := "https://" + ln.Addr().String() + "/"
	fetch(t, c, "GET", url, nil)
	for i := range 3 {
		front.WaitFor(t, "the connection parked", func() bool { return front.Parked(f) == 1 })
		if !fetch(t, c, "GET", url, nil) {
			t.Errorf("request %d after idling: a new connection", i+2)
		}
		fetch(t, c, "GET", url, nil) // at once: the answer before was held and sent with the wait
	}
}

// TestIdleBoundary: clients pausing around the idle release (some
// requests come as the connection gives its buffers back), plain and
// over TLS, pipelining now and then: every answer comes, in order.
func TestIdleBoundary(t *testing.T) {
	for _, overTLS := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		f := front.New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, r.URL.Path)
		}), IdleTimeout: time.Minute, ReadHeaderTimeout: 10 * time.Second})
		addr := ln.Addr().String()
		if overTLS {
			go func() { _ = f.ServeTLS(ln, serverTLS(t)) }()
			addr = "tls://" + addr
		} else {
			go func() { _ = f.Serve(ln) }()
		}
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				c, err := dial(addr)
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				br := bufio.NewReader(c)
				for j := range 6 {
					time.Sleep(time.Duration(85+(i*7+j*13)%30) * time.Millisecond) // 85-114ms: around idleRelease
					paths := []string{fmt.Sprintf("/%d/%d", i, j)}
					if j%3 == 2 {
						paths = append(paths, paths[0]+"b")
					}
					var req strings.Builder
					for _, p := range paths {
						req.WriteString("GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n")
					}
					_ = c.SetDeadline(time.Now().Add(10 * time.Second))
					if _, err := io.WriteString(c, req.String()); err != nil {
						t.Error(err)
						return
					}
					for _, p := range paths {
						resp, err := http.ReadResponse(br, nil)
						if err != nil {
							t.Errorf("tls %v, %s: %v", overTLS, p, err)
							return
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if string(b) != p {
							t.Errorf("tls %v: got %q, want %q", overTLS, b, p)
						}
					}
				}
			})
		}
		wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := f.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		cancel()
	}
}
