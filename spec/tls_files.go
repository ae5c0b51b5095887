package spec

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CheckCertificates reads the files the routes' certificates, client
// CAs, the ACME roots and DNS-01 hooks name, relative to baseDir, and
// reports every one that a router could not serve at now: missing, a
// key readable by group or others, a certificate that does not match its
// key, expired, or not valid for a host of its route, a hook that cannot
// be run or that others can change. The CLI calls it before sending
// a spec, the server before storing one (its router keeps what it
// serves).
func (a *App) CheckCertificates(baseDir string, now time.Time) error {
	var ps Problems
	add := func(path, msg string) {
		pos := a.index.nearest(path)
		ps = append(ps, Problem{File: a.file, Line: pos.line, Column: pos.column, Path: path, Message: msg})
	}
	for _, name := range sortedNames(a.Services) {
		s := a.Services[name]
		if s == nil {
			continue
		}
		path := "services." + name + ".route"
		if c := s.Route.Certificate; c != nil && c.Cert != "" && c.Key != "" {
			if p, msg := checkKeyPair(baseDir, *c, s.Route.AllHosts(), now); msg != "" {
				add(path+".certificate."+p, msg)
			}
		}
		if s.Route.ClientCA != "" {
			if _, err := LoadCertPool(inDir(baseDir, s.Route.ClientCA)); err != nil {
				add(path+".clientCA", err.Error())
			}
		}
	}
	for _, t := range a.allTLS() {
		if t.ACME != nil && t.ACME.CARoot != "" {
			if _, err := LoadCertPool(inDir(baseDir, t.ACME.CARoot)); err != nil {
				add(a.tlsPath(t)+".acme.caRoot", err.Error())
			}
		}
		if t.ACME != nil && t.ACME.DNS != nil && len(t.ACME.DNS.Exec) > 0 {
			if msg := hookProblem(baseDir, t.ACME.DNS.Exec[0]); msg != "" {
				add(a.tlsPath(t)+".acme.dns.exec[0]", msg)
			}
		}
	}
	return ps.err()
}

// hookProblem says what is wrong with a DNS-01 hook given as a path
// (a bare name is looked up in the server's PATH when it runs): missing,
// not an executable file, or writable by group or others, who could then
// run what they like as the hook's user.
func hookProblem(baseDir, hook string) string {
	if !strings.Contains(hook, "/") {
		return ""
	}
	fi, err := os.Stat(inDir(baseDir, hook))
	switch {
	case err != nil:
		return fmt.Sprintf("cannot read hook %s: %v", hook, err)
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		return fmt.Sprintf("hook %s is not an executable file (mode %s): chmod 700 %s", hook, fi.Mode(), hook)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Sprintf("hook %s is writable by group or others (mode %04o), who could run anything as its user: chmod go-w %s", hook, fi.Mode().Perm(), hook)
	}
	return ""
}

// tlsPath is where t is written.
func (a *App) tlsPath(t *TLS) string {
	for _, n := range sortedNames(a.Environments) {
		if e := a.Environments[n]; e != nil && e.TLS == t {
			return "environments." + n + ".tls"
		}
	}
	return "tls"
}

func inDir(baseDir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, filepath.FromSlash(p))
}

// checkKeyPair says what is wrong with a route's certificate ("cert" or
// "key", and the message), or "".
func checkKeyPair(baseDir string, c Certificate, hosts []string, now time.Time) (string, string) {
	keyFile := inDir(baseDir, c.Key)
	fi, err := os.Stat(keyFile)
	if err != nil {
		return "key", fmt.Sprintf("cannot read key file %s: %v", c.Key, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "key", fmt.Sprintf("key file %s is open to group or others (mode %04o): make it readable by its owner only (chmod 600 %s)",
			c.Key, fi.Mode().Perm(), c.Key)
	}
	pair, err := LoadKeyPair(inDir(baseDir, c.Cert), keyFile)
	if err != nil {
		return "cert", err.Error()
	}
	leaf := pair.Leaf
	if now.After(leaf.NotAfter) {
		return "cert", fmt.Sprintf("certificate %s expired on %s", c.Cert, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return "cert", fmt.Sprintf("certificate %s is not valid for host %s (it names %v)", c.Cert, h, leaf.DNSNames)
		}
	}
	return "", ""
}

// LoadKeyPair reads a PEM certificate chain and its key, with errors
// that name the files: one the router can serve, Leaf parsed.
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("cannot read certificate file %s: %v", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("cannot read key file %s: %v", keyFile, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate %s and key %s are not a pair: %v", certFile, keyFile, err)
	}
	return pair, nil
}

// LoadCertPool reads a PEM file of CA certificates.
func LoadCertPool(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read CA file %s: %v", file, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", file)
	}
	return pool, nil
}
