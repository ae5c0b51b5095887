package edge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
)

// stand is a router behind an edge, on two loopback listeners, with one
// backend that answers what it saw.
type stand struct {
	rt              *router.Router
	edge            *Edge
	plain, tls      string // addresses
	plainLn, tlsLn  net.Listener
	backend         *httptest.Server
	events          chan Event
	mu              sync.Mutex // guards routes and seen
	seen            []Event
	routes          []router.Route
	httpPort, tport int
}

// newStand binds the listeners; start serves them once the edge's
// config is known.
func newStand(t *testing.T) *stand {
	t.Helper()
	s := &stand{events: make(chan Event, 64)}
	var err error
	if s.plainLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if s.tlsLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	s.plain, s.tls = s.plainLn.Addr().String(), s.tlsLn.Addr().String()
	s.httpPort = s.plainLn.Addr().(*net.TCPAddr).Port
	s.tport = s.tlsLn.Addr().(*net.TCPAddr).Port
	s.backend = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "host=%s proto=%s xfp=%s fwd=%q xfh=%s", r.Host, r.Proto, r.Header.Get("X-Forwarded-Proto"),
			r.Header.Get("Forwarded"), r.Header.Get("X-Forwarded-Host"))
	}))
	t.Cleanup(s.backend.Close)
	s.rt = router.New(router.Config{})
	t.Cleanup(s.rt.Close)
	return s
}

// start builds the edge with cfg (addresses and events filled in) and
// serves both listeners until the test ends.
func (s *stand) start(t *testing.T, cfg Config) {
	t.Helper()
	cfg.PlainAddr, cfg.TLSAddr = s.plain, s.tls
	cfg.OnEvent = func(ev Event) {
		select {
		case s.events <- ev:
		default:
		}
	}
	if cfg.Storage == "" {
		cfg.Storage = t.TempDir() + "/certs"
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	s.edge = e
	plain := &http.Server{Handler: e.Plain(s.rt)}
	go plain.Serve(s.plainLn)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := e.Serve(ctx, s.tlsLn, s.rt, 10*time.Second, time.Minute); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		plain.Close()
		e.Close()
	})
}

// route adds a route for hosts to the backend.
func (s *stand) route(t *testing.T, service string, hosts []string, tlsOf *router.RouteTLS) error {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes = append(s.routes, router.Route{Service: service, Hosts: hosts, Path: "/", TLS: tlsOf,
		Backends: []router.Backend{{ID: service + "-1", Revision: 1, Addr: s.backend.Listener.Addr().String()}}})
	s.rt.Update(s.routes)
	return s.edge.Update(s.routes)
}

// client reaches the TLS listener whatever the URL's host, trusting
// roots, offering cert when set, HTTP/2 when h2.
func (s *stand) client(roots *x509.CertPool, cert *tls.Certificate, h2 bool) *http.Client {
	cfg := &tls.Config{RootCAs: roots}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	tr := &http.Transport{
		TLSClientConfig:   cfg,
		ForceAttemptHTTP2: h2,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			_, port, _ := net.SplitHostPort(addr)
			if port == "443" || port == strconv.Itoa(s.tport) {
				return d.DialContext(ctx, network, s.tls)
			}
			return d.DialContext(ctx, network, s.plain)
		},
	}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get returns the status, body and answer of GET url.
func get(t *testing.T, c *http.Client, url string) (int, string, *http.Response) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp
}

// waitEvent waits for an event of kind for host, in any order with
// the others (every event is kept).
func (s *stand) waitEvent(t *testing.T, kind EventKind, host string, renewal bool) Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for i := 0; ; {
		s.mu.Lock()
		for ; i < len(s.seen); i++ {
			if ev := s.seen[i]; ev.Kind == kind && ev.Host == host && ev.Renewal == renewal {
				s.seen = append(s.seen[:i], s.seen[i+1:]...)
				s.mu.Unlock()
				return ev
			}
		}
		s.mu.Unlock()
		select {
		case ev := <-s.events:
			s.mu.Lock()
			s.seen = append(s.seen, ev)
			s.mu.Unlock()
		case <-timeout:
			t.Fatalf("no %s event for %s (renewal %v); seen %+v", kind, host, renewal, s.seen)
		}
	}
}

// served returns the leaf certificate the TLS listener serves for host.
func (s *stand) served(t *testing.T, host string) *x509.Certificate {
	t.Helper()
	conn, err := tls.Dial("tcp", s.tls, &tls.Config{ServerName: host, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("handshake for %s: %v", host, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}
