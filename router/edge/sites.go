package edge

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
)

// sites is an immutable snapshot of what each host is served with.
type sites struct {
	exact map[string]*site // by lower-case host
	wild  map[string]*site // by suffix: "*.shop.example" -> ".shop.example"
}

// site is one host's TLS material.
type site struct {
	cert      *tls.Certificate // the route's own; nil: ACME's
	clientCAs *x509.CertPool   // nil: no client certificate asked
}

// lookup returns the site for an SNI host: exact, then wildcard.
func (s *sites) lookup(host string) *site {
	if st, ok := s.exact[host]; ok {
		return st
	}
	if i := strings.IndexByte(host, '.'); i > 0 {
		return s.wild[host[i:]]
	}
	return nil
}

// Update sets the hosts the edge serves from the router's routes: a
// route's own certificate and client CA for its hosts, and ACME for the
// other hosts (their certificates are obtained in the background; a
// wildcard's over DNS-01, which needs ACME.DNS).
// A file that cannot be served (unreadable, a key open to others, a
// certificate that does not match its key or has expired) leaves its
// hosts as they were served before, and is in the returned error.
func (e *Edge) Update(routes []router.Route) error {
	old := e.sites.Load()
	next := &sites{exact: map[string]*site{}, wild: map[string]*site{}}
	var errs []error
	var acmeHosts []string
	for _, r := range routes {
		hosts := routeHosts(r)
		st, err := e.siteOf(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", r.Service, err))
		}
		for _, h := range hosts {
			put := st
			if err != nil {
				if put = old.lookupExact(h); put == nil {
					continue
				}
			}
			if suffix, ok := strings.CutPrefix(h, "*"); ok {
				if put.cert == nil {
					if e.wild == nil {
						errs = append(errs, fmt.Errorf("service %s: host %s has no certificate of its own, and ACME issues a wildcard's over DNS-01 only, which needs tls.acme.dns: its requests over TLS fail their handshake", r.Service, h))
						continue
					}
					acmeHosts = append(acmeHosts, h)
				}
				next.wild[suffix] = put
				continue
			}
			next.exact[h] = put
			if put.cert == nil {
				acmeHosts = append(acmeHosts, h)
			}
		}
	}
	e.sites.Store(next)
	e.manage(acmeHosts)
	return errors.Join(errs...)
}

// lookupExact returns the site stored under exactly h (a wildcard by
// its "*." form).
func (s *sites) lookupExact(h string) *site {
	if suffix, ok := strings.CutPrefix(h, "*"); ok {
		return s.wild[suffix]
	}
	return s.exact[h]
}

func routeHosts(r router.Route) []string {
	var out []string
	for _, h := range append([]string{r.Host}, r.Hosts...) {
		if h != "" {
			out = append(out, strings.ToLower(h))
		}
	}
	return out
}

// siteOf loads a route's TLS material.
func (e *Edge) siteOf(r router.Route) (*site, error) {
	st := &site{}
	if r.TLS == nil {
		return st, nil
	}
	if r.TLS.CertFile != "" {
		c, err := e.pairs.load(r.TLS.CertFile, r.TLS.KeyFile, time.Now())
		if err != nil {
			return nil, err
		}
		st.cert = c
	}
	if r.TLS.ClientCAFile != "" {
		pool, err := spec.LoadCertPool(r.TLS.ClientCAFile)
		if err != nil {
			return nil, err
		}
		st.clientCAs = pool
	}
	return st, nil
}

// manage hands ACME the hosts it does not manage yet: wildcards to the
// DNS-01 config, the others to the plain one.
func (e *Edge) manage(hosts []string) {
	if e.magic == nil {
		return
	}
	e.mu.Lock()
	var fresh []string
	for _, h := range hosts {
		if !e.managed[h] {
			e.managed[h] = true
			fresh = append(fresh, h)
		}
	}
	e.mu.Unlock()
	if len(fresh) == 0 {
		return
	}
	slices.Sort(fresh)
	wild := slices.DeleteFunc(slices.Clone(fresh), func(h string) bool { return !isWildcard(h) })
	plain := slices.DeleteFunc(fresh, isWildcard)
	for cfg, hosts := range map[*certmagic.Config][]string{e.magic: plain, e.wild: wild} {
		if len(hosts) == 0 {
			continue
		}
		if err := cfg.ManageAsync(e.ctx, hosts); err != nil {
			e.log.Warn("tls: manage certificates", "hosts", hosts, "err", err)
		}
	}
}

// pairCache keeps loaded certificates by file, reloaded when a file
// changes.
type pairCache struct {
	mu sync.Mutex // guards m
	m  map[string]pairEntry
}

type pairEntry struct {
	certMod, keyMod time.Time
	cert            *tls.Certificate
}

// load returns the pair in certFile and keyFile, checked as the spec
// checks it: the key readable by its owner only, a pair, not expired.
func (p *pairCache) load(certFile, keyFile string, now time.Time) (*tls.Certificate, error) {
	cfi, err := os.Stat(certFile)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", certFile, err)
	}
	kfi, err := os.Stat(keyFile)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyFile, err)
	}
	if kfi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is open to group or others (mode %04o): chmod 600 it", keyFile, kfi.Mode().Perm())
	}
	key := certFile + "\x00" + keyFile
	p.mu.Lock()
	ent, ok := p.m[key]
	p.mu.Unlock()
	if !ok || !ent.certMod.Equal(cfi.ModTime()) || !ent.keyMod.Equal(kfi.ModTime()) {
		pair, err := spec.LoadKeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		ent = pairEntry{certMod: cfi.ModTime(), keyMod: kfi.ModTime(), cert: &pair}
		p.mu.Lock()
		p.m[key] = ent
		p.mu.Unlock()
	}
	if now.After(ent.cert.Leaf.NotAfter) {
		return nil, fmt.Errorf("certificate %s expired on %s", certFile, ent.cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return ent.cert, nil
}
