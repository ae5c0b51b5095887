package edge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3"
	"go.uber.org/zap"

	"github.com/slipway-dev/slipway/spec"
)

// Config is one environment's TLS edge.
type Config struct {
	// PlainAddr and TLSAddr are the router's listeners (host:port, as
	// bound): ACME's challenges are answered on them.
	PlainAddr, TLSAddr string
	// ACME, when set, obtains certificates for the route hosts that
	// bring none. Nil: only routes' own certificates are served.
	ACME *ACME
	// Storage is the folder certificates and ACME accounts are kept in
	// (created 0700), shared by every environment's edge.
	Storage string
	// RedirectHTTP answers plain requests with a redirect to https.
	RedirectHTTP bool
	// HSTS is the Strict-Transport-Security value for answers over TLS
	// ("" sends none).
	HSTS string
	// OnEvent, when set, is told of certificates obtained, renewed and
	// failed (called from certmagic's goroutines; must return quickly).
	OnEvent func(Event)
	Logger  *slog.Logger
}

// ACME is the CA certificates are obtained from.
type ACME struct {
	Directory, Email string
	// CARoot is a PEM file of roots the directory's certificate chains
	// to ("" trusts the system's).
	CARoot string
	// RenewalWindow, when set, is the share of a certificate's life,
	// before it expires, in which it is renewed, instead of the window
	// the CA suggests (ACME Renewal Information; without it, 1/3).
	// Above 1, it is renewed at every check (tests).
	RenewalWindow float64
	// Challenge, when set, is the only challenge offered to the CA:
	// "http-01" or "tls-alpn-01" (default: either).
	Challenge string
	// RenewCheck is how often certificates are checked for renewal
	// (default 10 minutes).
	RenewCheck time.Duration
	// DNS, when set, answers DNS-01 challenges: wildcard hosts without
	// a certificate of their own get theirs this way (dns.go).
	DNS *DNS
}

// Event is a certificate's news.
type Event struct {
	Kind EventKind
	Host string
	// Renewal is true when the certificate replaced one still served.
	Renewal bool
	// Err says why a certificate could not be had (Failed).
	Err string
}

// EventKind is what happened to a certificate.
type EventKind int

const (
	// Obtained: a certificate was issued and is now served.
	Obtained EventKind = iota + 1
	// Failed: the CA did not issue one (the host keeps the certificate
	// it had, if any).
	Failed
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case Obtained:
		return "obtained"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Edge serves TLS for one environment's router. Create it with New,
// start it with Start, give it the routes with Update.
type Edge struct {
	cfg      Config
	log      *slog.Logger
	tlsPort  string
	sites    atomic.Pointer[sites]
	magic    *certmagic.Config // nil without ACME
	wild     *certmagic.Config // wildcards' over DNS-01; nil without ACME.DNS
	issuer   *certmagic.ACMEIssuer
	cache    *certmagic.Cache
	ctx      context.Context // Start's: ACME's work runs under it
	pairs    pairCache
	mu       sync.Mutex // guards managed
	managed  map[string]bool
	baseConf *tls.Config
}

// New returns an Edge with no sites; it starts nothing.
func New(cfg Config) (*Edge, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	_, port, err := net.SplitHostPort(cfg.TLSAddr)
	if err != nil {
		return nil, fmt.Errorf("tls address %q: %w", cfg.TLSAddr, err)
	}
	e := &Edge{cfg: cfg, log: cfg.Logger, tlsPort: port, managed: map[string]bool{}, pairs: pairCache{m: map[string]pairEntry{}}}
	e.sites.Store(&sites{})
	e.baseConf = &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1", acmez.ACMETLS1Protocol},
		GetCertificate: e.getCertificate,
	}
	return e, nil
}

// Start opens the certificate storage and, with ACME, the certificate
// cache, whose maintenance (renewals) runs until Close. ACME's
// directory is asked for at once: an unreachable one is an error, and
// the edge still serves routes' own certificates.
func (e *Edge) Start(ctx context.Context) error {
	e.ctx = ctx
	if e.cfg.ACME == nil {
		return nil
	}
	if err := os.MkdirAll(e.cfg.Storage, 0o700); err != nil {
		return fmt.Errorf("certificate storage: %w", err)
	}
	if err := os.Chmod(e.cfg.Storage, 0o700); err != nil {
		return fmt.Errorf("certificate storage: %w", err)
	}
	a := e.cfg.ACME
	tmpl := certmagic.ACMEIssuer{CA: a.Directory, Email: a.Email, Agreed: true, Logger: zap.NewNop(),
		DisableHTTPChallenge: a.Challenge == "tls-alpn-01", DisableTLSALPNChallenge: a.Challenge == "http-01"}
	if a.CARoot != "" {
		pool, err := spec.LoadCertPool(a.CARoot)
		if err != nil {
			return err
		}
		tmpl.TrustedRoots = pool
	}
	if err := e.checkDirectory(ctx, tmpl.TrustedRoots); err != nil {
		return err
	}
	storage := &certmagic.FileStorage{Path: e.cfg.Storage}
	e.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert:   e.configForCert,
		RenewCheckInterval: a.RenewCheck,
		Logger:             zap.NewNop(),
	})
	e.magic = certmagic.New(e.cache, certmagic.Config{
		Storage: storage, RenewalWindowRatio: a.RenewalWindow, DisableARI: a.RenewalWindow != 0, Logger: zap.NewNop(),
		OnEvent: e.onEvent,
	})
	// The challenge solvers try to listen where the CA will knock; those
	// are the router's own listeners, already bound, so certmagic leaves
	// the answering to Plain (HTTP-01) and getCertificate (TLS-ALPN-01).
	if host, port, err := net.SplitHostPort(e.cfg.PlainAddr); err == nil {
		tmpl.ListenHost = host
		tmpl.AltHTTPPort, _ = strconv.Atoi(port)
	}
	tmpl.AltTLSALPNPort, _ = strconv.Atoi(e.tlsPort)
	e.issuer = certmagic.NewACMEIssuer(e.magic, tmpl)
	e.magic.Issuers = []certmagic.Issuer{e.issuer}
	if a.DNS != nil {
		// certmagic offers DNS-01 alone when its solver is set: the
		// wildcards get a config of their own, in the same cache.
		e.wild = certmagic.New(e.cache, certmagic.Config{
			Storage: storage, RenewalWindowRatio: a.RenewalWindow, DisableARI: a.RenewalWindow != 0, Logger: zap.NewNop(),
			OnEvent: e.onEvent,
		})
		wt := tmpl
		wt.DNS01Solver = hookSolver{*a.DNS}
		e.wild.Issuers = []certmagic.Issuer{certmagic.NewACMEIssuer(e.wild, wt)}
	}
	return nil
}

// configForCert is the certmagic config that renews c: the wildcards'
// for a wildcard.
func (e *Edge) configForCert(c certmagic.Certificate) (*certmagic.Config, error) {
	if e.wild != nil && slices.ContainsFunc(c.Names, isWildcard) {
		return e.wild, nil
	}
	return e.magic, nil
}

func isWildcard(host string) bool { return strings.HasPrefix(host, "*.") }

// checkDirectory asks the CA for its directory, so that a wrong or
// unreachable one says so at once rather than at the first host.
func (e *Edge) checkDirectory(ctx context.Context, roots *x509.CertPool) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	dir := e.cfg.ACME.Directory
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dir, nil)
	if err != nil {
		return fmt.Errorf("ACME directory %s: %w", dir, err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ACME directory %s cannot be reached: %w", dir, err)
	}
	defer resp.Body.Close()
	var d struct {
		NewNonce string `json:"newNonce"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d); resp.StatusCode != http.StatusOK || err != nil || d.NewNonce == "" {
		return fmt.Errorf("ACME directory %s answered %s, not an ACME directory", dir, resp.Status)
	}
	return nil
}

// Close stops the certificate cache's maintenance.
func (e *Edge) Close() {
	if e.cache != nil {
		e.cache.Stop()
	}
}

// TLSConfig is the TLS listener's configuration: certificates by SNI,
// client certificates asked for on the hosts that verify them, HTTP/2
// and ACME's TLS-ALPN-01 by ALPN.
func (e *Edge) TLSConfig() *tls.Config {
	c := e.baseConf.Clone()
	c.GetConfigForClient = e.configForClient
	return c
}

// ConfigForClient is the configuration for one handshake (as
// tls.Config.GetConfigForClient): TLSConfig's, asking for a client
// certificate when the SNI host's route verifies them. A server that
// swaps edges serves each handshake with the current one's.
func (e *Edge) ConfigForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if c, _ := e.configForClient(hello); c != nil {
		return c, nil
	}
	return e.baseConf, nil
}

// configForClient asks for a client certificate when the SNI host's
// route verifies them.
func (e *Edge) configForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	s := e.sites.Load().lookup(strings.ToLower(hello.ServerName))
	if s == nil || s.clientCAs == nil || slices.Contains(hello.SupportedProtos, acmez.ACMETLS1Protocol) {
		return nil, nil
	}
	c := e.baseConf.Clone()
	c.ClientAuth = tls.RequireAndVerifyClientCert
	c.ClientCAs = s.clientCAs
	return c, nil
}

// getCertificate picks the certificate by SNI: a route's own for the
// host (exact, then wildcard), else ACME's.
func (e *Edge) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(hello.ServerName)
	if e.magic != nil && slices.Contains(hello.SupportedProtos, acmez.ACMETLS1Protocol) {
		return e.magic.GetCertificate(hello) // a TLS-ALPN-01 challenge
	}
	if s := e.sites.Load().lookup(name); s != nil && s.cert != nil {
		return s.cert, nil
	}
	if managed := e.managedFor(name); managed != "" {
		cfg := e.magic
		if isWildcard(managed) {
			cfg = e.wild
		}
		c, err := cfg.GetCertificate(hello)
		if err == nil {
			return c, nil
		}
		// Not in this edge's cache yet: the storage may have it, saved
		// by another environment's edge, or by this one just before it
		// caches it.
		if _, lerr := cfg.CacheManagedCertificate(hello.Context(), managed); lerr != nil {
			return nil, err
		}
		return cfg.GetCertificate(hello)
	}
	return nil, fmt.Errorf("no certificate for %q", hello.ServerName)
}

// managedFor is the name ACME manages a certificate for that serves
// host: host itself, else its wildcard; "" when none.
func (e *Edge) managedFor(host string) string {
	if e.magic == nil {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.managed[host] {
		return host
	}
	if i := strings.IndexByte(host, '.'); i > 0 && e.managed["*"+host[i:]] {
		return "*" + host[i:]
	}
	return ""
}

// onEvent turns certmagic's news into Events.
func (e *Edge) onEvent(_ context.Context, name string, data map[string]any) error {
	var ev Event
	switch name {
	case "cert_obtained":
		ev.Kind = Obtained
	case "cert_failed":
		ev.Kind = Failed
		if err, ok := data["error"].(error); ok {
			ev.Err = err.Error()
		}
	default:
		return nil
	}
	ev.Host, _ = data["identifier"].(string)
	ev.Renewal, _ = data["renewal"].(bool)
	e.log.Info("tls certificate", "event", ev.Kind.String(), "host", ev.Host, "renewal", ev.Renewal, "err", ev.Err)
	if e.cfg.OnEvent != nil {
		e.cfg.OnEvent(ev)
	}
	return nil
}
