package router

import (
	"net/http"
	"testing"
)

// TestCookieValueReadsAsNetHTTP: the sticky split's cookie lookup finds
// what req.Cookie finds, for well-formed and odd Cookie headers.
func TestCookieValueReadsAsNetHTTP(t *testing.T) {
	for _, lines := range [][]string{
		nil,
		{"b=42"},
		{"a=1; b=42; c=3"},
		{"a=1;b=42"},
		{"  b=42  "},
		{`b="42"`},
		{`b="42`},
		{"b="},
		{"b"},
		{"bb=1; b=2"},
		{"b=1; b=2"},
		{"a=1", "b=7"},
		{"b=4\x7f2; b=5"},
		{`b=4"2; b=5`},
		{"b=4 2"},
		{"B=42"},
		{"b=42;"},
		{";;b=42"},
	} {
		req := &http.Request{Header: http.Header{}}
		for _, l := range lines {
			req.Header.Add("Cookie", l)
		}
		want, err := req.Cookie("b")
		got, ok := cookieValue(req.Header, "b")
		if ok != (err == nil) || (ok && got != want.Value) {
			t.Errorf("Cookie %q: got %q, %v; net/http %v, %v", lines, got, ok, want, err)
		}
	}
}
