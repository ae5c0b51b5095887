package front

import (
	"bufio"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestParseHead holds parseHead to net/http's reading: a head it serves
// reads as http.ReadRequest reads it; the rest (malformed, smuggling
// attempts, bodies, upgrades) go to net/http untouched.
func TestParseHead(t *testing.T) {
	for _, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			head, v := parseHead([]byte(tc.raw), newRequest())
			if v != tc.want {
				t.Fatalf("verdict %d, want %d", v, tc.want)
			}
			if v != headServe {
				return
			}
			if head.size != strings.Index(tc.raw, "\r\n\r\n")+4 {
				t.Errorf("size %d", head.size)
			}
			std, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tc.raw)))
			if err != nil {
				t.Fatalf("the front serves a request net/http refuses: %v", err)
			}
			sameRequest(t, head.req, std)
		})
	}
}

// TestParseHeadReusesMemory holds parseHead, when it reads each head
// into the memory the one before used (a connection's requests), to
// net/http's reading as with fresh memory: nothing of the last request
// (header fields, URL, Host, Close) stays.
func TestParseHeadReusesMemory(t *testing.T) {
	mem := newRequest()
	for range 2 {
		for _, tc := range headCases {
			head, v := parseHead([]byte(tc.raw), mem)
			if v != tc.want {
				t.Fatalf("%s: verdict %d, want %d", tc.name, v, tc.want)
			}
			if v != headServe {
				continue
			}
			std, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tc.raw)))
			if err != nil {
				t.Fatalf("%s: the front serves a request net/http refuses: %v", tc.name, err)
			}
			sameRequest(t, head.req, std)
		}
	}
}

// headCases are request heads and what parseHead makes of them; they
// also seed FuzzRequestHead.
var headCases = []struct {
	name, raw string
	want      headVerdict
}{
	{"get", "GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", headServe},
	{"head", "HEAD / HTTP/1.1\r\nHost: x:8080\r\n\r\n", headServe},
	{"options", "OPTIONS /a HTTP/1.1\r\nHost: x\r\n\r\n", headServe},
	{"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", headServe},
	{"http/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", headServe},
	{"http/1.0 keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", headServe},
	{"connection close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", headServe},
	{"content-length 0", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", headServe},
	{"repeated field", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n", headServe},
	{"pragma", "GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\n\r\n", headServe},
	{"value with tab and 8-bit", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\tb\xc3\xa9 \r\n\r\n", headServe},
	{"empty value", "GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n\r\n", headServe},
	{"escaped path", "GET /a%20b/%2F HTTP/1.1\r\nHost: x\r\n\r\n", headServe},
	{"incomplete", "GET / HTTP/1.1\r\nHost: x\r\n", headIncomplete},
	{"incomplete line", "GET / HT", headIncomplete},

	{"post", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na", headHandOff},
	{"lower-case method", "get / HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"connect", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", headHandOff},
	{"get with body", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", headHandOff},
	{"cl and te", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", headHandOff},
	{"duplicate cl", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", headHandOff},
	{"cl list", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 0\r\n\r\n", headHandOff},
	{"te chunked in http/1.0", "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", headHandOff},
	{"te identity", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", headHandOff},
	{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n", headHandOff},
	{"space in name", "GET / HTTP/1.1\r\nHost: x\r\nX A: 1\r\n\r\n", headHandOff},
	{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n", headHandOff},
	{"bare lf", "GET / HTTP/1.1\nHost: x\n\n", headHandOff},
	{"bare lf in a field", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\nX-B: 2\r\n\r\n", headHandOff},
	{"bare lf before the end", "GET / HTTP/1.1\r\nHost: x\n", headHandOff},
	{"bare cr", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r2\r\n\r\n", headHandOff},
	{"nul in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", headHandOff},
	{"del in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n", headHandOff},
	{"no host in http/1.1", "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", headHandOff},
	{"two hosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", headHandOff},
	{"odd host", "GET / HTTP/1.1\r\nHost: x y\r\n\r\n", headHandOff},
	{"upgrade", "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", headHandOff},
	{"expect", "GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", headHandOff},
	{"http/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", headHandOff},
	{"http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", headHandOff},
	{"double space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"absolute form", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"fragment", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"control in target", "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"8-bit target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"bad escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"trailing garbage after proto", "GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", headHandOff},
	{"h2c upgrade settings", "GET / HTTP/1.1\r\nHost: x\r\nHTTP2-Settings: AAA\r\n\r\n", headHandOff},
	{"no colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n", headHandOff},
	{"empty name", "GET / HTTP/1.1\r\nHost: x\r\n: a\r\n\r\n", headHandOff},
	{"leading blank line", "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", headHandOff},
	{"large", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("x", 5000) + "\r\n\r\n", headServe}, // parseHead has no limit: the buffer has (server_test)
}

func sameRequest(t *testing.T, got, want *http.Request) {
	t.Helper()
	if got.Method != want.Method || got.RequestURI != want.RequestURI || got.Proto != want.Proto ||
		got.ProtoMajor != want.ProtoMajor || got.ProtoMinor != want.ProtoMinor || got.Host != want.Host ||
		got.Close != want.Close || got.ContentLength != want.ContentLength || *got.URL != *want.URL ||
		!reflect.DeepEqual(got.Header, want.Header) || got.Body != http.NoBody {
		t.Errorf("front reads %+v\nnet/http reads %+v", got, want)
	}
}

// TestSimpleTarget holds simpleTarget to url.ParseRequestURI: for every
// character it keeps in a path, and for queries and their edge cases, the
// two read the same URL; a character it does not keep is left to
// ParseRequestURI.
func TestSimpleTarget(t *testing.T) {
	targets := []string{"/", "/orders/1?x=1", "/a?", "/a??", "/a?b?", "/?", "//x//y", "/a?%zz", "/a?b=c&d"}
	for c := byte(0x21); c < 0x7f; c++ {
		if c != '#' && c != '?' {
			targets = append(targets, "/a"+string(c)+"b?q=1")
		}
	}
	for _, target := range targets {
		var got url.URL
		ok := simpleTarget(target, &got)
		want, err := url.ParseRequestURI(target)
		switch {
		case !ok && strings.ContainsAny(strings.SplitN(target, "?", 2)[0], "%\"<>\\^`{|}!'()*[]"):
			continue // ParseRequestURI's to read
		case !ok:
			t.Errorf("%q: not simple", target)
		case err != nil:
			t.Errorf("%q: simple, but ParseRequestURI: %v", target, err)
		case got != *want:
			t.Errorf("%q: simpleTarget %#v, ParseRequestURI %#v", target, got, *want)
		}
	}
}
