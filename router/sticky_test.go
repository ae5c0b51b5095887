package router

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
)

// canaryRoute splits s between stable (revision 1) and canary (2).
func canaryRoute(t *testing.T, weight int, sticky *Sticky) Route {
	a, b := backendServer(t, "stable", nil), backendServer(t, "canary", nil)
	a.Revision, b.Revision = 1, 2
	return Route{Service: "s", Backends: []Backend{a, b}, Weights: map[int]int{1: 100 - weight, 2: weight}, Sticky: sticky}
}

func TestStickyCookieKeepsEachUserOnOneSide(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{canaryRoute(t, 30, &Sticky{Cookie: "slipway-canary"})})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	sides := map[string]int{}
	for user := range 200 {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		first := fetch(t, c, srv.URL)
		for i := range 5 {
			if got := fetch(t, c, srv.URL); got != first {
				t.Fatalf("user %d: request %d went to %s after %s: not sticky", user, i, got, first)
			}
		}
		sides[first]++
	}
	if sides["canary"] < 30 || sides["canary"] > 90 { // 60 expected of 200
		t.Fatalf("users per side %v, want about 30%% on canary", sides)
	}
}

func TestStickyCanaryUsersStayAsTheWeightGrows(t *testing.T) {
	rt := New(Config{})
	route := canaryRoute(t, 10, &Sticky{Cookie: "c"})
	rt.Update([]Route{route})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	var onCanary []*http.Client
	for range 100 {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		if fetch(t, c, srv.URL) == "canary" {
			onCanary = append(onCanary, c)
		}
	}
	route.Weights = map[int]int{1: 50, 2: 50}
	rt.Update([]Route{route})
	for i, c := range onCanary {
		if got := fetch(t, c, srv.URL); got != "canary" {
			t.Fatalf("canary user %d moved to %s when the weight grew", i, got)
		}
	}
}

func TestStickyHeaderHashesTheUser(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{canaryRoute(t, 50, &Sticky{Header: "X-User-Id"})})
	sides := map[string]int{}
	for user := range 100 {
		id := fmt.Sprint("user-", user)
		_, first := get(t, rt, "x", "/", "X-User-Id", id)
		for range 3 {
			if _, got := get(t, rt, "x", "/", "X-User-Id", id); got != first {
				t.Fatalf("%s went to %s after %s", id, got, first)
			}
		}
		sides[first]++
	}
	if sides["canary"] < 25 || sides["canary"] > 75 {
		t.Fatalf("users per side %v, want about half on canary", sides)
	}
}

func TestStickyCookieKeepsTheUsersOtherCookies(t *testing.T) {
	var seen []string
	a := backendServer(t, "stable", func(w http.ResponseWriter, r *http.Request) {
		for _, c := range r.Cookies() {
			seen = append(seen, c.Name+"="+c.Value)
		}
	})
	b := backendServer(t, "canary", nil)
	a.Revision, b.Revision = 1, 2
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{a, b}, Weights: map[int]int{1: 100, 2: 0}, Sticky: &Sticky{Cookie: "c"}}})
	// weight 0 leaves one revision: no cookie is set, the user's cookies pass.
	_, _ = get(t, rt, "x", "/", "Cookie", "session=abc; c=garbage")
	if len(seen) != 2 || seen[0] != "session=abc" {
		t.Fatalf("backend saw cookies %v", seen)
	}
}

func TestStickyReplacesAMalformedCookie(t *testing.T) {
	var seen []string
	h := func(w http.ResponseWriter, r *http.Request) {
		for _, c := range r.Cookies() {
			seen = append(seen, c.Name+"="+c.Value)
		}
	}
	route := canaryRoute(t, 50, &Sticky{Cookie: "c"})
	route.Backends[0] = backendServer(t, "stable", h)
	route.Backends[0].Revision = 1
	route.Backends[1] = backendServer(t, "canary", h)
	route.Backends[1].Revision = 2
	rt := New(Config{Rand: func() uint64 { return 7 }})
	rt.Update([]Route{route})
	_, _ = get(t, rt, "x", "/", "Cookie", "session=abc; c=garbage")
	if fmt.Sprint(seen) != "[session=abc c=7]" {
		t.Fatalf("backend saw cookies %v, want the session kept and the bucket replaced", seen)
	}
}

func fetch(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
