package spec

import (
	"reflect"
	"slices"
	"strings"
)

// TLSChange is what an apply changes at an environment's TLS edge
// (what `slipway plan` shows under tls): the tls: section's settings,
// and the hosts served over TLS with where each one's certificate comes
// from.
type TLSChange struct {
	Fields                  []FieldChange // tls.address, tls.acme.email, ...
	Added, Removed, Changed []TLSHost     // Changed: the certificate's source changed (Old says from what)
}

// TLSHost is one host served over TLS and the source of its certificate:
// CertificateACME, or the route's certificate file. Old is the source
// before, in a TLSChange's Changed.
type TLSHost struct {
	Host, Service, Certificate, Old string
}

// CertificateACME is the certificate source of a host without one of its
// own when the tls: section has acme, CertificateACMEDNS of such a
// wildcard host when acme has dns (DNS-01); CertificateNone when neither
// (the host is then not served over TLS).
const (
	CertificateACME    = "acme"
	CertificateACMEDNS = "acme dns-01"
	CertificateNone    = "none"
)

// Empty reports whether nothing changes.
func (c TLSChange) Empty() bool {
	return len(c.Fields) == 0 && len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

// DiffTLS compares an environment's TLS edge before (its tls: section
// and services) and after an apply. A host is served over TLS when its
// route brings a certificate, or the tls: section has acme.
func DiffTLS(oldTLS *TLS, oldServices map[string]*Service, newTLS *TLS, newServices map[string]*Service) TLSChange {
	var c TLSChange
	var fo, fn []setting
	if oldTLS != nil {
		flattenValue(reflect.ValueOf(*oldTLS), "tls", &fo)
	}
	if newTLS != nil {
		flattenValue(reflect.ValueOf(*newTLS), "tls", &fn)
	}
	c.Fields = diffSettings(fo, fn)
	before, after := TLSHosts(oldTLS, oldServices), TLSHosts(newTLS, newServices)
	for _, h := range after {
		i := slices.IndexFunc(before, func(b TLSHost) bool { return b.Host == h.Host })
		switch {
		case i < 0:
			c.Added = append(c.Added, h)
		case before[i].Certificate != h.Certificate || before[i].Service != h.Service:
			h.Old = before[i].Certificate
			c.Changed = append(c.Changed, h)
		}
	}
	for _, h := range before {
		if !slices.ContainsFunc(after, func(a TLSHost) bool { return a.Host == h.Host }) {
			c.Removed = append(c.Removed, h)
		}
	}
	return c
}

// TLSHosts lists the hosts an environment serves over TLS, sorted, with
// the service and the source of each one's certificate.
func TLSHosts(t *TLS, services map[string]*Service) []TLSHost {
	var out []TLSHost
	for _, name := range sortedNames(services) {
		r := services[name].Route
		source := CertificateNone
		switch {
		case r.Certificate != nil:
			source = r.Certificate.Cert
		case t != nil && t.ACME != nil:
			source = CertificateACME
		}
		if source == CertificateNone {
			continue
		}
		for _, h := range r.AllHosts() {
			src := source
			if source == CertificateACME && strings.HasPrefix(h, "*.") {
				if t.ACME.DNS == nil {
					continue // only DNS-01 validates a wildcard
				}
				src = CertificateACMEDNS
			}
			out = append(out, TLSHost{Host: h, Service: name, Certificate: src})
		}
	}
	slices.SortFunc(out, func(a, b TLSHost) int {
		if a.Host < b.Host {
			return -1
		}
		if a.Host > b.Host {
			return 1
		}
		return 0
	})
	return out
}
