package spec

import (
	"reflect"
	"testing"
)

func TestDiffTLS(t *testing.T) {
	acme := &TLS{Address: "0.0.0.0:443", ACME: &ACME{Email: "ops@shop.example", Directory: "https://ca.example/dir"}}
	acme2 := &TLS{Address: "0.0.0.0:8443", ACME: &ACME{Email: "sre@shop.example", Directory: "https://ca.example/dir"}, RedirectHTTP: true}
	svc := func(r Route) *Service { return &Service{Route: r} }
	acmeDNS := &TLS{Address: "0.0.0.0:443", ACME: &ACME{Email: "ops@shop.example", Directory: "https://ca.example/dir", DNS: &ACMEDNS{Exec: []string{"/hook"}}}}
	wild := map[string]*Service{"shop": svc(Route{Hosts: []string{"*.shop.example", "shop.example"}})}
	shop := map[string]*Service{"shop": svc(Route{Hosts: []string{"shop.example", "www.shop.example"}})}
	shopMore := map[string]*Service{
		"shop": svc(Route{Hosts: []string{"shop.example", "Shop.Example.org"}, Certificate: &Certificate{Cert: "/tls/shop.pem", Key: "/tls/shop.key"}}),
		"api":  svc(Route{Host: "api.shop.example"}),
		"any":  svc(Route{Path: "/any"}), // no host: nothing served by name
	}
	tests := []struct {
		name                    string
		oldTLS, newTLS          *TLS
		oldSvcs, newSvcs        map[string]*Service
		fields                  []FieldChange
		added, removed, changed []TLSHost
	}{
		{name: "nothing", oldTLS: acme, newTLS: acme, oldSvcs: shop, newSvcs: shop},
		{name: "tls section added: the hosts are served over ACME", newTLS: acme, oldSvcs: shop, newSvcs: shop,
			fields: []FieldChange{{"tls.address", "(none)", "0.0.0.0:443"}, {"tls.acme.email", "(none)", "ops@shop.example"},
				{"tls.acme.directory", "(none)", "https://ca.example/dir"}, {"tls.redirectHTTP", "(none)", "false"}},
			added: []TLSHost{{Host: "shop.example", Service: "shop", Certificate: "acme"}, {Host: "www.shop.example", Service: "shop", Certificate: "acme"}}},
		{name: "fields change", oldTLS: acme, newTLS: acme2, oldSvcs: shop, newSvcs: shop,
			fields: []FieldChange{{"tls.address", "0.0.0.0:443", "0.0.0.0:8443"}, {"tls.acme.email", "ops@shop.example", "sre@shop.example"},
				{"tls.redirectHTTP", "false", "true"}}},
		{name: "hosts added, removed, and moved to a certificate of their own", oldTLS: acme, newTLS: acme, oldSvcs: shop, newSvcs: shopMore,
			added: []TLSHost{{Host: "api.shop.example", Service: "api", Certificate: "acme"},
				{Host: "shop.example.org", Service: "shop", Certificate: "/tls/shop.pem"}},
			removed: []TLSHost{{Host: "www.shop.example", Service: "shop", Certificate: "acme"}},
			changed: []TLSHost{{Host: "shop.example", Service: "shop", Certificate: "/tls/shop.pem", Old: "acme"}}},
		{name: "a wildcard is served over ACME with dns only", oldTLS: acme, newTLS: acmeDNS, oldSvcs: wild, newSvcs: wild,
			fields: []FieldChange{{"tls.acme.dns.exec[0]", "(none)", "/hook"}},
			added:  []TLSHost{{Host: "*.shop.example", Service: "shop", Certificate: "acme dns-01"}}},
		{name: "acme removed: only hosts with a certificate of their own stay", oldTLS: acme, newTLS: &TLS{Address: "0.0.0.0:443"},
			oldSvcs: shopMore, newSvcs: shopMore,
			fields:  []FieldChange{{"tls.acme.email", "ops@shop.example", "(none)"}, {"tls.acme.directory", "https://ca.example/dir", "(none)"}},
			removed: []TLSHost{{Host: "api.shop.example", Service: "api", Certificate: "acme"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DiffTLS(tc.oldTLS, tc.oldSvcs, tc.newTLS, tc.newSvcs)
			want := TLSChange{Fields: tc.fields, Added: tc.added, Removed: tc.removed, Changed: tc.changed}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if got.Empty() != (tc.name == "nothing") {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
}
