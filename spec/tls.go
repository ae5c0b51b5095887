package spec

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// TLS is a router's TLS listener: where it listens, how it gets the
// certificates of the hosts no route brings its own for, and how it
// treats plain HTTP.
//
//	tls:
//	  address: 0.0.0.0:443
//	  acme: {email: ops@shop.example, directory: https://acme-v02.api.letsencrypt.org/directory}
//	  redirectHTTP: true
//	  hsts: {maxAge: 8760h, includeSubdomains: true}
type TLS struct {
	// Address is an environment's TLS listener (host:port), opened when
	// the environment is created or the server starts. The default
	// environment's is the server's --router-tls: there it is not read.
	Address string `yaml:"address,omitempty" json:"address,omitempty"`
	// ACME, when set, obtains and renews certificates for every route
	// host without a certificate of its own.
	ACME *ACME `yaml:"acme,omitempty" json:"acme,omitempty"`
	// RedirectHTTP answers plain HTTP requests for a routed host with a
	// permanent redirect to https (ACME's HTTP-01 challenges excepted).
	RedirectHTTP bool `yaml:"redirectHTTP,omitempty" json:"redirectHTTP,omitempty"`
	// HSTS, when set, adds Strict-Transport-Security to answers over TLS.
	HSTS *HSTS `yaml:"hsts,omitempty" json:"hsts,omitempty"`
}

// ACME is the certificate authority a router asks for certificates
// (RFC 8555), over HTTP-01 on its plain listener and TLS-ALPN-01 on its
// TLS one.
type ACME struct {
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	// Directory is the CA's directory URL (https).
	Directory string `yaml:"directory" json:"directory"`
	// CARoot is a PEM file of roots that the directory's own certificate
	// chains to, for a private or test CA (pebble); default: the system's.
	CARoot string `yaml:"caRoot,omitempty" json:"caRoot,omitempty"`
	// DNS, when set, answers the CA's DNS-01 challenges, which a wildcard
	// host's certificate needs (tls_dns.go); the other hosts keep HTTP-01
	// and TLS-ALPN-01.
	DNS *ACMEDNS `yaml:"dns,omitempty" json:"dns,omitempty"`
}

// HSTS is the Strict-Transport-Security header's policy.
type HSTS struct {
	MaxAge            Duration `yaml:"maxAge" json:"maxAge"`
	IncludeSubdomains bool     `yaml:"includeSubdomains,omitempty" json:"includeSubdomains,omitempty"`
}

// Header is the header's value.
func (h HSTS) Header() string {
	v := "max-age=" + strconv.FormatInt(int64(h.MaxAge.Seconds()), 10)
	if h.IncludeSubdomains {
		v += "; includeSubDomains"
	}
	return v
}

// Certificate is a route's own certificate: PEM files, the key readable
// by its owner only.
type Certificate struct {
	Cert string `yaml:"cert" json:"cert"`
	Key  string `yaml:"key" json:"key"`
}

// AllHosts returns the hosts a route answers, lower-cased: Hosts, or
// Host alone; none means any host.
func (r Route) AllHosts() []string {
	if r.Host != "" {
		return []string{strings.ToLower(r.Host)}
	}
	out := make([]string, len(r.Hosts))
	for i, h := range r.Hosts {
		out[i] = strings.ToLower(h)
	}
	return out
}

// HasHost reports whether the route names a host (else any host).
func (r Route) HasHost() bool { return r.Host != "" || len(r.Hosts) > 0 }

// TLSFor returns the TLS listener of environment env: its own, or the
// top-level one for the default environment; nil when none.
func (a *App) TLSFor(env string) *TLS {
	if e, ok := a.Environments[env]; ok && e != nil && e.TLS != nil {
		return e.TLS
	}
	if env == "" || env == DefaultEnvironment {
		return a.TLS
	}
	return nil
}

// ResolveFiles makes the route and ACME file paths absolute against dir
// (the spec file's folder), so that the stored spec names them wherever
// the server reads them.
func (a *App) ResolveFiles(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, filepath.FromSlash(*p))
		}
	}
	for _, s := range a.Services {
		if s == nil {
			continue
		}
		if c := s.Route.Certificate; c != nil {
			abs(&c.Cert)
			abs(&c.Key)
		}
		abs(&s.Route.ClientCA)
	}
	for _, t := range a.allTLS() {
		if t.ACME != nil {
			abs(&t.ACME.CARoot)
			if d := t.ACME.DNS; d != nil && len(d.Exec) > 0 && strings.Contains(d.Exec[0], "/") {
				abs(&d.Exec[0]) // ./dns-hook is the spec folder's; a bare name is looked up in PATH
			}
		}
	}
}

// allTLS returns every TLS section of the spec.
func (a *App) allTLS() []*TLS {
	var out []*TLS
	if a.TLS != nil {
		out = append(out, a.TLS)
	}
	for _, n := range sortedNames(a.Environments) {
		if e := a.Environments[n]; e != nil && e.TLS != nil {
			out = append(out, e.TLS)
		}
	}
	return out
}

// tlsSections checks the top-level tls: and each environment's.
func (v *validator) tlsSections() {
	if v.app.TLS != nil {
		v.tls("tls", v.app.TLS)
	}
	for _, n := range sortedNames(v.app.Environments) {
		if e := v.app.Environments[n]; e != nil && e.TLS != nil {
			v.tls("environments."+n+".tls", e.TLS)
		}
	}
}

func (v *validator) tls(path string, t *TLS) {
	if t.Address != "" {
		if _, _, err := splitRouter(t.Address); err != nil {
			v.addf(path+".address", "%s", strings.Replace(err.Error(), "7481", "443", 1))
		}
	}
	if a := t.ACME; a != nil {
		u, err := url.Parse(a.Directory)
		if a.Directory == "" || err != nil || u.Scheme != "https" || u.Host == "" {
			v.addf(path+".acme.directory", "must be the https URL of an ACME directory, like https://acme-v02.api.letsencrypt.org/directory; got %q", a.Directory)
		}
		if a.Email != "" && !strings.Contains(a.Email, "@") {
			v.addf(path+".acme.email", "must be an email address, like ops@shop.example; got %q", a.Email)
		}
		if a.DNS != nil {
			v.acmeDNS(path+".acme.dns", a.DNS)
		}
	}
	if h := t.HSTS; h != nil && h.MaxAge.Duration <= 0 {
		v.addf(path+".hsts.maxAge", "must be > 0, like 8760h (a year); got %s", h.MaxAge)
	}
}

// routeHosts checks the host fields of one route.
func (v *validator) routeHosts(path string, r Route) {
	if r.Host != "" && len(r.Hosts) > 0 {
		v.addf(path+".hosts", "set host (one host) or hosts (a list), not both")
	}
	if r.Host != "" {
		if msg := hostProblem(r.Host); msg != "" {
			v.addf(path+".host", "%s", msg)
		}
	}
	seen := map[string]bool{}
	for i, h := range r.Hosts {
		p := fmt.Sprintf("%s.hosts[%d]", path, i)
		if msg := hostProblem(h); msg != "" {
			v.addf(p, "%s", msg)
		} else if seen[strings.ToLower(h)] {
			v.addf(p, "host %s is listed twice", h)
		}
		seen[strings.ToLower(h)] = true
	}
	if c := r.Certificate; c != nil {
		if c.Cert == "" {
			v.addf(path+".certificate.cert", "required: the certificate's PEM file, like ./tls/shop.pem")
		}
		if c.Key == "" {
			v.addf(path+".certificate.key", "required: the private key's PEM file, like ./tls/shop.key")
		}
	}
	if (r.Certificate != nil || r.ClientCA != "") && !r.HasHost() {
		v.addf(path+".hosts", "required with certificate or clientCA: TLS picks a certificate by host name (SNI)")
	}
}

// hostProblem says what is wrong with a route host, or "". A wildcard
// stands for one leftmost label, as in a certificate.
func hostProblem(h string) string {
	name := strings.TrimPrefix(h, "*.")
	switch {
	case strings.ContainsAny(h, "/ \t"):
		return fmt.Sprintf("must be a host name like shop.example.com, without scheme or path; got %q", h)
	case strings.Contains(name, "*"):
		return fmt.Sprintf("a wildcard stands for the leftmost label only, like *.shop.example; got %q", h)
	case name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, ".."):
		return fmt.Sprintf("must be a host name like shop.example.com; got %q", h)
	case h != name && !strings.Contains(name, "."):
		return fmt.Sprintf("a wildcard needs a domain of two labels or more, like *.shop.example; got %q", h)
	}
	return ""
}

// HostsOverlap reports whether a request host could match both a and b
// (lower-case route hosts, "*." wildcards for one label).
func HostsOverlap(a, b string) bool {
	if a == b {
		return true
	}
	return wildcardCovers(a, b) || wildcardCovers(b, a)
}

// wildcardCovers reports whether wildcard w matches the plain host h.
func wildcardCovers(w, h string) bool {
	suffix, ok := strings.CutPrefix(w, "*")
	if !ok || strings.HasPrefix(h, "*.") {
		return false
	}
	label, ok := strings.CutSuffix(h, suffix)
	return ok && label != "" && !strings.Contains(label, ".")
}

func (t *TLS) clone() *TLS {
	if t == nil {
		return nil
	}
	c := *t
	if t.ACME != nil {
		a := *t.ACME
		a.DNS = a.DNS.clone()
		c.ACME = &a
	}
	c.HSTS = clonePtr(t.HSTS)
	return &c
}
