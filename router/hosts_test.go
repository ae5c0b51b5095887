package router

import "testing"

// TestMatchHosts: a route naming the host beats one whose wildcard
// covers it, which beats one for any host; the longest path wins within
// each kind; a wildcard covers one label only.
func TestMatchHosts(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{
		{Service: "any", Path: "/"},
		{Service: "anyapi", Path: "/api"},
		{Service: "wild", Hosts: []string{"*.shop.example"}, Path: "/"},
		{Service: "exact", Hosts: []string{"www.shop.example", "Shop.Example"}, Path: "/"},
		{Service: "one", Host: "one.example", Path: "/"},
	})
	tab := rt.table.Load()
	for _, c := range []struct{ host, path, want string }{
		{"www.shop.example", "/", "exact"},
		{"shop.example:443", "/x", "exact"},
		{"WWW.SHOP.EXAMPLE", "/api", "exact"},
		{"api.shop.example", "/", "wild"},
		{"api.shop.example", "/api/1", "wild"},
		{"a.b.shop.example", "/", "any"},
		{"a.b.shop.example", "/api", "anyapi"},
		{"xshop.example", "/", "any"},
		{"one.example", "/", "one"},
	} {
		r := tab.match(c.host, c.path)
		if r == nil || r.Service != c.want {
			got := "<nil>"
			if r != nil {
				got = r.Service
			}
			t.Errorf("match(%q, %q) = %s, want %s", c.host, c.path, got, c.want)
		}
	}
}
