package spec

import "testing"

// acmeNoDNS is a tls: section whose ACME has no dns: (no DNS-01).
const acmeNoDNS = "{acme: {directory: https://acme.example/dir}}"

// wildcardBadSpecs are the wildcard hosts an environment would not serve
// over TLS, checked like the catalogue's: web's route is at line 5.
var wildcardBadSpecs = []badSpec{
	{"wildcard under ACME without dns", imageBase + "shop/web:v1\n    route: {hosts: [shop.example, \"*.shop.example\"]}\ntls: " + acmeNoDNS + "\n",
		5, "services.web.route.hosts[1]", "wildcard host *.shop.example gets no certificate: tls.acme validates a wildcard only over DNS-01, and has no dns: add tls.acme.dns"},
	{"wildcard host under ACME without dns", imageBase + "shop/web:v1\n    route: {host: \"*.shop.example\"}\ntls: " + acmeNoDNS + "\n",
		5, "services.web.route.host", "or give the route its own certificate: {cert:"},
	{"wildcard in an environment whose ACME has no dns", imageBase + "shop/web:v1\n    route: {hosts: [\"*.shop.example\"]}\nenvironments:\n  staging: {}\n  prod:\n    tls: " + acmeNoDNS + "\n",
		5, "services.web.route.hosts[0]", "in environment prod: wildcard host *.shop.example gets no certificate: environments.prod.tls.acme validates a wildcard only over DNS-01, and has no dns: add environments.prod.tls.acme.dns"},
	{"wildcard added by an override", imageBase + "shop/web:v1\n    route: {hosts: [shop.example]}\nenvironments:\n  prod:\n    tls: " + acmeNoDNS + "\n    overrides:\n      services:\n        web: {route: {hosts: [\"*.shop.example\"]}}\n",
		11, "services.web.route.hosts[0]", "in environment prod: wildcard host *.shop.example gets no certificate"},
	{"wildcard in an environment named default", imageBase + "shop/web:v1\n    route: {hosts: [\"*.shop.example\"]}\ntls: " + acmeNoDNS + "\nenvironments:\n  default: {}\n  prod: {}\n",
		5, "services.web.route.hosts[0]", "in environment default: wildcard host *.shop.example gets no certificate: tls.acme validates"},
}

func TestBadInputCatalogueWildcardTLS(t *testing.T) {
	runCatalogue(t, "spec wildcard tls", wildcardBadSpecs, catalogueOptions)
}

// TestWildcardTLSServed: a wildcard host is taken where it gets a
// certificate (DNS-01, or the route's own) or is not served over TLS at
// all (no acme, or an environment without a tls: section of its own,
// which the top-level one does not cover).
func TestWildcardTLSServed(t *testing.T) {
	wild := imageBase + "shop/web:v1\n    route: {hosts: [\"*.shop.example\"]}\n"
	for name, src := range map[string]string{
		"acme with dns":   wild + "tls: {acme: {directory: https://acme.example/dir, dns: {exec: [./dns-hook]}}}\n",
		"own cert":        imageBase + "shop/web:v1\n    route: {hosts: [\"*.shop.example\"], certificate: {cert: ./w.pem, key: ./w.key}}\ntls: " + acmeNoDNS + "\n",
		"no acme":         wild + "tls: {address: 0.0.0.0:443}\n",
		"no tls":          wild,
		"env without tls": wild + "tls: {acme: {directory: https://acme.example/dir, dns: {exec: [./dns-hook]}}}\nenvironments:\n  prod: {}\n",
		"env override gives a certificate": imageBase + "shop/web:v1\n    route: {hosts: [\"*.shop.example\"]}\nenvironments:\n  prod:\n    tls: " + acmeNoDNS +
			"\n    overrides:\n      services:\n        web: {route: {hosts: [\"*.shop.example\"], certificate: {cert: ./w.pem, key: ./w.key}}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseWith("slipway.yaml", []byte(src), catalogueOptions); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWildcardTLSStoredSpecOpens: a spec stored by an earlier release,
// which had a wildcard under ACME without dns (the edge logged it), is
// read back without the refusal (Options.Applying unset): it still opens.
func TestWildcardTLSStoredSpecOpens(t *testing.T) {
	src := wildcardBadSpecs[0].src
	if _, err := ParseWith("slipway.yaml", []byte(src), Options{MaxInstancesPerService: -1}); err != nil {
		t.Fatalf("stored spec: %v", err)
	}
	if _, err := ParseWith("slipway.yaml", []byte(src), Options{MaxInstancesPerService: -1, Applying: true}); err == nil {
		t.Fatal("applied: parsed without a problem")
	}
}
