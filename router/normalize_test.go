package router

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// TestPathsAreNormalizedBeforeMatching sends raw request targets through
// the front: dot segments (also %2E-encoded) and repeated slashes are
// resolved before the route is matched, and the instance gets the path
// that was matched.
func TestPathsAreNormalizedBeforeMatching(t *testing.T) {
	echo := func(name string) Backend {
		return backendServer(t, name, func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(name + " " + r.RequestURI))
		})
	}
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{
		{Service: "root", Path: "/", Backends: []Backend{echo("root")}},
		{Service: "api", Path: "/api", Backends: []Backend{echo("api")}},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fr := front.New(&http.Server{Handler: rt, ReadHeaderTimeout: 5 * time.Second})
	go fr.Serve(ln)
	defer fr.Close()
	cases := []struct{ target, want string }{
		{"/api/v1", "api /api/v1"},
		{"/api/../x", "root /x"},
		{"/api/%2e%2e/x", "root /x"},
		{"/api/%2E%2E/x?q=1", "root /x?q=1"},
		{"/api/./v1/./x", "api /api/v1/x"},
		{"/x/../api/v1", "api /api/v1"},
		{"//api//v1", "api /api/v1"},
		{"/api/v1/..", "api /api/"},
		{"/api/v1/.", "api /api/v1/"},
		{"/api/v1//", "api /api/v1/"},
		{"/api/x%2F..%2F..%2Fadmin", "root /admin"},
		{"/api/v1/../", "api /api/"},
		{"/../../api", "api /api"},
		{"/api/v1/", "api /api/v1/"},
		{"/api/a%20b", "api /api/a%20b"},
		{"/api/a%2Fb", "api /api/a%2Fb"},
	}
	for _, tc := range cases {
		got := rawExchange(t, ln.Addr().String(), "GET "+tc.target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false)
		_, body, _ := strings.Cut(got, "\r\n\r\n")
		if body != tc.want {
			t.Errorf("GET %s: answered by %q, want %q (%s)", tc.target, body, tc.want, firstLine(got))
		}
	}
}
