package spec

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHostsOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"a.example", "a.example", true},
		{"a.example", "b.example", false},
		{"*.shop.example", "api.shop.example", true},
		{"api.shop.example", "*.shop.example", true},
		{"*.shop.example", "shop.example", false},
		{"*.shop.example", "a.b.shop.example", false},
		{"*.shop.example", "*.shop.example", true},
		{"*.shop.example", "*.a.shop.example", false},
		{"*.shop.example", "xshop.example", false},
	} {
		if got := HostsOverlap(c.a, c.b); got != c.want {
			t.Errorf("HostsOverlap(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// writePair writes a self-signed ECDSA certificate for hosts, valid
// until notAfter, and its key (mode keyMode) into dir.
func writePair(t *testing.T, dir, name string, hosts []string, notAfter time.Time, keyMode os.FileMode) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: hosts[0]}, DNSNames: hosts,
		NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), keyMode))
	must(t, os.Chmod(filepath.Join(dir, name+".key"), keyMode))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckCertificates: each bad certificate file is reported at its
// line with what to do; a good pair passes.
func TestCheckCertificates(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	writePair(t, dir, "good", []string{"shop.example", "*.shop.example"}, now.Add(24*time.Hour), 0o600)
	writePair(t, dir, "other", []string{"shop.example"}, now.Add(24*time.Hour), 0o600)
	writePair(t, dir, "old", []string{"shop.example"}, now.Add(-time.Hour), 0o600)
	writePair(t, dir, "open", []string{"shop.example"}, now.Add(24*time.Hour), 0o644)
	for name, mode := range map[string]os.FileMode{"hook": 0o755, "open-hook": 0o777} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	route := func(hosts, cert, key string) string {
		return web + "    route: {hosts: [" + hosts + "], certificate: {cert: " + cert + ", key: " + key + "}}\n"
	}
	for _, c := range []struct {
		name, src, want string
	}{
		{"good", route("shop.example, '*.shop.example'", "good.pem", "good.key"), ""},
		{"not a pair", route("shop.example", "good.pem", "other.key"), "5: services.web.route.certificate.cert: certificate " + dir + "/good.pem and key " + dir + "/other.key are not a pair"},
		{"expired", route("shop.example", "old.pem", "old.key"), "services.web.route.certificate.cert: certificate old.pem expired on"},
		{"open key", route("shop.example", "open.pem", "open.key"), "key file open.key is open to group or others (mode 0644): make it readable by its owner only (chmod 600 open.key)"},
		{"wrong host", route("www.example", "good.pem", "good.key"), "certificate good.pem is not valid for host www.example"},
		{"missing file", route("shop.example", "nope.pem", "good.key"), "cannot read certificate file " + dir + "/nope.pem"},
		{"client CA not PEM", web + "    route: {hosts: [shop.example], clientCA: good.key}\n", "services.web.route.clientCA: CA file " + dir + "/good.key holds no PEM certificate"},
		{"good hook", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./hook]}\n", ""},
		{"hook in PATH", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [dns-hook]}\n", ""},
		{"missing hook", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./nohook]}\n", "8: tls.acme.dns.exec[0]: cannot read hook ./nohook"},
		{"hook not executable", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./good.pem]}\n", "hook ./good.pem is not an executable file"},
		{"hook writable by others", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./open-hook]}\n", "hook ./open-hook is writable by group or others (mode 0777), who could run anything as its user: chmod go-w ./open-hook"},
	} {
		t.Run(c.name, func(t *testing.T) {
			app, err := Parse("slipway.yaml", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			err = app.CheckCertificates(dir, now)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TestResolveFiles: relative paths become absolute against the spec's
// folder; absolute ones stay.
func TestResolveFiles(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(web+"    route: {hosts: [a.example], certificate: {cert: tls/a.pem, key: /k/a.key}, clientCA: ca.pem}\n"+
		"tls: {acme: {directory: 'https://ca.example/dir', caRoot: root.pem}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	app.ResolveFiles("/srv/shop")
	r := app.Services["web"].Route
	if r.Certificate.Cert != "/srv/shop/tls/a.pem" || r.Certificate.Key != "/k/a.key" || r.ClientCA != "/srv/shop/ca.pem" ||
		app.TLS.ACME.CARoot != "/srv/shop/root.pem" {
		t.Fatalf("resolved: %+v %+v", r, app.TLS.ACME)
	}
}

// TestACMEDNS: a hook under the spec's folder is resolved against it, a
// bare program name is left for PATH, and the secrets its env
// references are listed.
func TestACMEDNS(t *testing.T) {
	for hook, want := range map[string]string{"./hooks/dns": "/srv/shop/hooks/dns", "dns-hook": "dns-hook", "/usr/bin/h": "/usr/bin/h"} {
		app, err := Parse("slipway.yaml", []byte(web+"tls:\n  acme:\n    directory: https://ca.example/dir\n    dns:\n      exec: ["+hook+", --zone, shop.example]\n"+
			"      env: {TOKEN: '${secret.dns_token}', ZONE: shop, KEY: 'a${secret.tsig}b${secret.dns_token}'}\n      resolvers: ['[::1]:53', 'ns.example:5353']\n      propagationTimeout: 30s\n"))
		if err != nil {
			t.Fatal(err)
		}
		app.ResolveFiles("/srv/shop")
		d := app.TLS.ACME.DNS
		if d.Exec[0] != want || d.Exec[1] != "--zone" || d.PropagationTimeout.Duration != 30*time.Second {
			t.Fatalf("%s: %+v", hook, d)
		}
		if refs := d.SecretRefs(); !slices.Equal(refs, []string{"dns_token", "tsig"}) {
			t.Fatalf("secrets: %v", refs)
		}
		c := app.TLS.clone()
		c.ACME.DNS.Exec[0] = "changed"
		if d.Exec[0] != want {
			t.Fatal("a clone shares the hook's arguments")
		}
	}
}
