package router

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestForwardingOf: what an instance is told of the client, from an
// untrusted client and from a trusted proxy, as a table.
func TestForwardingOf(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	spoof := http.Header{
		"X-Forwarded-For":   {"203.0.113.7", "198.51.100.1"},
		"X-Forwarded-Host":  {"shop.example"},
		"X-Forwarded-Proto": {"https"},
		"Forwarded":         {`for=203.0.113.7;proto=https`, `for=198.51.100.1`},
	}
	tests := []struct {
		name             string
		remote, host     string
		tls              bool
		header           http.Header
		xff, xfh, xfp    string
		forwarded        string
		trustedProxyNets []netip.Prefix
	}{
		{"a client", "192.0.2.1:5000", "shop.example", false, nil,
			"192.0.2.1", "shop.example", "http", "for=192.0.2.1;host=shop.example;proto=http", trusted},
		{"an untrusted client's claims are dropped", "192.0.2.1:5000", "shop.example", false, spoof,
			"192.0.2.1", "shop.example", "http", "for=192.0.2.1;host=shop.example;proto=http", trusted},
		{"no proxy is trusted unless configured", "10.1.2.3:5000", "shop.example", false, spoof,
			"10.1.2.3", "shop.example", "http", "for=10.1.2.3;host=shop.example;proto=http", nil},
		{"over TLS, a host with a port (quoted)", "192.0.2.1:5000", "shop.example:8443", true, nil,
			"192.0.2.1", "shop.example:8443", "https", `for=192.0.2.1;host="shop.example:8443";proto=https`, trusted},
		{"an IPv6 client is quoted in brackets", "[2001:db9::1]:5000", "shop.example", false, nil,
			"2001:db9::1", "shop.example", "http", `for="[2001:db9::1]";host=shop.example;proto=http`, trusted},
		{"a trusted proxy's values are kept, the router's hop added", "10.1.2.3:5000", "internal:8080", false, spoof,
			"203.0.113.7, 198.51.100.1, 10.1.2.3", "shop.example", "https",
			`for=203.0.113.7;proto=https, for=198.51.100.1, for=10.1.2.3;host="internal:8080";proto=http`, trusted},
		{"a trusted IPv6 proxy, IPv4-mapped too", "[::ffff:10.0.0.9]:5000", "shop.example", false,
			http.Header{"X-Forwarded-For": {"203.0.113.7"}},
			"203.0.113.7, ::ffff:10.0.0.9", "shop.example", "http", `for="[::ffff:10.0.0.9]";host=shop.example;proto=http`, trusted},
		{"a trusted proxy that sent nothing", "[2001:db8::5]:5000", "shop.example", false, nil,
			"2001:db8::5", "shop.example", "http", `for="[2001:db8::5]";host=shop.example;proto=http`, trusted},
		{"an address that is no IP", "@", "shop.example", false, spoof,
			"", "shop.example", "http", "for=unknown;host=shop.example;proto=http", trusted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := New(Config{TrustedProxies: tc.trustedProxyNets})
			req := &http.Request{RemoteAddr: tc.remote, Host: tc.host, Header: tc.header}
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			f := rt.forwardingOf(req)
			h := http.Header{}
			f.setHeaders(h)
			got := fmt.Sprintf("%q %q %q %q", h.Get("X-Forwarded-For"), f.xfh, f.xfp, h.Get("Forwarded"))
			want := fmt.Sprintf("%q %q %q %q", tc.xff, tc.xfh, tc.xfp, tc.forwarded)
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if _, ok := h["X-Forwarded-For"]; ok != (tc.xff != "") {
				t.Errorf("X-Forwarded-For set: %v, want %v", ok, tc.xff != "")
			}
		})
	}
}

// TestForwardedReachesTheInstance: the instance gets the same forwarding
// headers on the fast path (GET) and through the proxy (POST), from a
// client that is not trusted and from one that is.
func TestForwardedReachesTheInstance(t *testing.T) {
	echo := backendServer(t, "echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "xff=%q xfh=%q xfp=%q fwd=%q", r.Header.Values("X-Forwarded-For"), r.Header.Values("X-Forwarded-Host"),
			r.Header.Values("X-Forwarded-Proto"), r.Header.Values("Forwarded"))
	})
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		want    string
	}{
		{"untrusted", nil, `xff=["127.0.0.1"] xfh=["shop.localhost"] xfp=["http"] fwd=["for=127.0.0.1;host=shop.localhost;proto=http"]`},
		{"trusted", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			`xff=["203.0.113.7, 127.0.0.1"] xfh=["shop.example"] xfp=["https"] fwd=["for=203.0.113.7;proto=https, for=127.0.0.1;host=shop.localhost;proto=http"]`},
	} {
		rt := New(Config{TrustedProxies: tc.trusted})
		rt.Update([]Route{{Service: "s", Backends: []Backend{echo}}})
		srv := httptest.NewServer(rt)
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var body io.Reader
			if method == http.MethodPost {
				body = strings.NewReader("x")
			}
			req, _ := http.NewRequest(method, srv.URL, body)
			req.Host = "shop.localhost"
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			req.Header.Set("X-Forwarded-Host", "shop.example")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("Forwarded", "for=203.0.113.7;proto=https")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != tc.want {
				t.Errorf("%s %s: the instance saw\n%s\nwant\n%s", tc.name, method, got, tc.want)
			}
		}
		srv.Close()
		rt.Close()
	}
}

// TestForwardedIPv6Client: a client over IPv6 is for="[::1]".
func TestForwardedIPv6Client(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	echo := backendServer(t, "echo", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Header.Get("Forwarded")) })
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{echo}}})
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: rt}}
	srv.Start()
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `for="[::1]";host="` + ln.Addr().String() + `";proto=http`; string(got) != want {
		t.Fatalf("Forwarded %s, want %s", got, want)
	}
}
