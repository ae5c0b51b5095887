package front

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
)

// FuzzRequestHead holds the front's request-head parser to net/http's
// server, where request smuggling lives: whenever parseHead serves a
// head, net/http reads the same bytes as the same request (method,
// target, proto, Host, every header, Close, no body) and ends it at the
// same byte, so that both agree where the next request starts; whenever
// net/http refuses a head, the front hands it off rather than serve it;
// and it never serves a head with ambiguous framing (framing.go), which
// it refuses where net/http would serve it.
// It checks the parser on the whole input and on what a connection's
// buffer holds (its first bufSize bytes), and that a prefix of the input
// (the bytes a connection has read so far) is never served as a
// different head.
//
//	go test -run '^$' -fuzz FuzzRequestHead -fuzztime 3m ./router/front/
func FuzzRequestHead(f *testing.F) {
	for _, tc := range headCases {
		f.Add([]byte(tc.raw))
	}
	for _, raw := range smugglingHeads {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkHead(t, data)
		if len(data) > bufSize {
			checkHead(t, data[:bufSize])
		}
		checkPrefixes(t, data)
	})
}

// checkHead fails t when parseHead serves data's head and net/http's
// server does not read it the same way.
func checkHead(t *testing.T, data []byte) {
	t.Helper()
	head, v := parseHead(data, usedRequest(t))
	if v != headServe {
		return
	}
	if ambiguousFraming(data[:head.size]) {
		t.Fatalf("the front serves a head it is to refuse (ambiguous framing): %q", data)
	}
	std, consumed, err := serverReads(data)
	if err != nil {
		t.Fatalf("the front serves a head net/http refuses (%v): %q", err, data)
	}
	if head.size != consumed {
		t.Fatalf("the front reads a head of %d bytes, net/http of %d: %q", head.size, consumed, data)
	}
	if diff := requestDiff(head.req, std); diff != "" {
		t.Fatalf("the front and net/http read %q differently: %s", data, diff)
	}
}

// usedRequest returns request memory a head with many fields, a query
// and Connection: close was read into, as a connection's next request
// finds it: checkHead holds parseHead to net/http's reading with it.
func usedRequest(t *testing.T) *request {
	t.Helper()
	mem := newRequest()
	const used = "GET /used/path?q=1 HTTP/1.1\r\nHost: used.example\r\nConnection: close\r\nPragma: no-cache\r\n" +
		"A: 1\r\nA: 2\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\nF: 1\r\nG: 1\r\nH: 1\r\nI: 1\r\n\r\n"
	if _, v := parseHead([]byte(used), mem); v != headServe {
		t.Fatalf("the used head is not served (%d)", v)
	}
	return mem
}

// checkPrefixes fails t when parseHead serves a prefix of data (ending at
// a CR or LF, where a read may end) as another head than data's.
func checkPrefixes(t *testing.T, data []byte) {
	t.Helper()
	if len(data) > 1024 {
		data = data[:1024] // bounds the work per input: the prefixes are quadratic
	}
	full, fv := parseHead(data, newRequest())
	for i, c := range data {
		if c != '\r' && c != '\n' {
			continue
		}
		head, v := parseHead(data[:i+1], newRequest())
		if v == headServe && (fv != headServe || head.size != full.size) {
			t.Fatalf("the front serves %d bytes of %q, which it judges %d (%d bytes) whole", head.size, data, fv, full.size)
		}
	}
}

// serverReads reads data's request head as net/http's server does:
// http.ReadRequest, then the checks its conn.readRequest adds (one Host,
// required in HTTP/1.1, of valid bytes; valid header names and values).
// It returns the request and the bytes of data read for it.
func serverReads(data []byte) (*http.Request, int, error) {
	r := bytes.NewReader(data)
	br := bufio.NewReader(r)
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, 0, fmt.Errorf("read request: %w", err)
	}
	consumed := len(data) - r.Len() - br.Buffered()
	if req.ContentLength != 0 || len(req.TransferEncoding) > 0 || req.Body != http.NoBody {
		return nil, 0, errors.New("the request has a body")
	}
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	if _, err := tp.ReadLine(); err != nil {
		return nil, 0, fmt.Errorf("request line: %w", err)
	}
	fields, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, 0, fmt.Errorf("header: %w", err)
	}
	if err := serverChecks(req, fields["Host"]); err != nil {
		return nil, 0, err
	}
	return req, consumed, nil
}

// serverChecks are the checks net/http's server makes of a request
// http.ReadRequest read (server.go, conn.readRequest), with hosts the
// head's Host values (ReadRequest drops them from the header).
func serverChecks(req *http.Request, hosts []string) error {
	switch {
	case req.ProtoAtLeast(1, 1) && len(hosts) == 0 && req.Method != http.MethodConnect:
		return errors.New("missing required Host header")
	case len(hosts) > 1:
		return errors.New("too many Host headers")
	case len(hosts) == 1 && !validHostHeader(hosts[0]):
		return errors.New("malformed Host header")
	}
	for k, vv := range req.Header {
		if !validHeaderFieldName(k) {
			return fmt.Errorf("invalid header name %q", k)
		}
		for _, v := range vv {
			if !validHeaderFieldValue(v) {
				return fmt.Errorf("invalid header value %q", v)
			}
		}
	}
	return nil
}

// validHostHeader is golang.org/x/net/http/httpguts.ValidHostHeader, as
// net/http's server applies it.
func validHostHeader(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!$%&'()*+,;=:[]-._~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderFieldName is httpguts.ValidHeaderFieldName: an RFC 7230
// token. (The oracle's own copy: the front's would check itself.)
func validHeaderFieldName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range []byte(k) {
		if c >= 0x80 || c <= ' ' || strings.IndexByte("\"(),/:;<=>?@[\\]{}\x7f", c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderFieldValue is httpguts.ValidHeaderFieldValue: no control
// byte but space and tab.
func validHeaderFieldValue(v string) bool {
	for _, c := range []byte(v) {
		if (c < ' ' || c == 0x7f) && c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// requestDiff describes how the front's request differs from net/http's
// in what the router uses, or returns "".
func requestDiff(got, want *http.Request) string {
	type view struct {
		Method, RequestURI, Proto string
		ProtoMajor, ProtoMinor    int
		Host                      string
		Close                     bool
		ContentLength             int64
		URL                       string
		Header                    http.Header
		NoBody                    bool
	}
	see := func(r *http.Request) view {
		return view{r.Method, r.RequestURI, r.Proto, r.ProtoMajor, r.ProtoMinor, r.Host, r.Close, r.ContentLength,
			fmt.Sprintf("%#v", *r.URL), r.Header, r.Body == http.NoBody}
	}
	g, w := see(got), see(want)
	if reflect.DeepEqual(g, w) {
		return ""
	}
	return fmt.Sprintf("front %+v, net/http %+v", g, w)
}

// smugglingHeads seed FuzzRequestHead with the heads request smuggling
// and desync attacks use, each next to its innocent form.
var smugglingHeads = []string{
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 00\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0 \r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n",
	"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /next HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, Upgrade\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tContent-Length: 5\r\n\r\nhello",
	"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\r\n Host: x\r\n\r\n",
	"GET / HTTP/1.1\nHost: x\nContent-Length: 0\n\n",
	"GET / HTTP/1.1\r\nHost: x\nContent-Length: 5\r\n\r\nhello",
	"GET / HTTP/1.1\r\nHost: x\r\n\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n",
	"GET / HTTP/1.1\r\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nhost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: \r\n\r\n",
	"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x@y\r\n\r\n",
	"GET http://x/ HTTP/1.1\r\nHost: y\r\n\r\n",
	"GET //x/y HTTP/1.1\r\nHost: y\r\n\r\n",
	"GET x HTTP/1.1\r\nHost: y\r\n\r\n",
	"GET /a?b=%zz;c HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /../a HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\nCache-Control: max-age=0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nConnection: close, keep-alive\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive , x\r\n\r\n",
	"HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
	"OPTIONS / HTTP/1.0\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", bufSize) + "\r\n\r\n",
	"GET /" + strings.Repeat("p", bufSize-30) + " HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Many: 1\r\n", 500) + "\r\n",
}
