package front

import (
	"bytes"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// The front serves itself only requests it can read with certainty as
// net/http would, and that need none of what it leaves to net/http:
// GET, HEAD or OPTIONS, in origin form, HTTP/1.0 or 1.1, every line
// ending in CRLF, header names that are tokens followed at once by the
// colon, values without control characters, no body (no Content-Length
// but "0", no Transfer-Encoding), no Upgrade, no Expect, one plain Host.
// Anything else, malformed or merely unusual, is not judged here: the
// connection goes to net/http with the bytes read, and net/http answers
// it (a 400, a 431, a body, an upgrade) as it would have without the
// front. So the front cannot read a request differently from net/http:
// it never reads one net/http would not, and reads those it does read
// the same way (parse_test.go and FuzzRequestHead hold it to net/http's reading).

// headVerdict is what parseHead makes of the bytes buffered so far.
type headVerdict int

const (
	headIncomplete headVerdict = iota // no blank line yet: read on
	headServe                         // a request for the front to serve
	headHandOff                       // not the front's: net/http reads it
)

// parsedHead is a request head the front serves.
type parsedHead struct {
	req  *http.Request // mem's: what the handler gets, once serveOne gives it its context
	mem  *request      // what req points into
	size int           // bytes of the head, blank line included
}

// request is the memory of the requests a connection serves, one after
// the other: the http.Request, its URL, its header map and the backing
// array of its header values, for no allocation per request but the
// head's bytes (parseHead) and the context (serveOne). It is taken and
// given back with the connection's buffers (idle.go). A request is so its
// handler's only until ServeHTTP returns, as its ResponseWriter is: the
// router, the front's one handler, keeps none past that (a mirrored
// request is a Clone). Its context is not part of it: a context outlives
// the handler wherever something derived from it does (http.Transport
// finishes a dial on WithoutCancel of the request's context, reading its
// values, after the request is over), so each request has its own.
type request struct {
	req    http.Request
	url    url.URL
	header http.Header
	values [maxSlabFields]string
}

// maxSlabFields is how many header lines' values request holds; a
// request with more gets a slice of its own for each further one.
const maxSlabFields = 8

func newRequest() *request {
	return &request{header: make(http.Header, maxSlabFields)}
}

// reset lets go of what the last request left: its head's bytes (which
// its strings point into) and its context.
func (m *request) reset() {
	m.req, m.url = http.Request{}, url.URL{}
	clear(m.header)
	clear(m.values[:])
}

// parseHead reads the request head at the start of buf into mem. It
// returns headServe with the request, headIncomplete when buf holds no
// complete head yet, and headHandOff for any head it does not serve.
func parseHead(buf []byte, mem *request) (parsedHead, headVerdict) {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		if bytes.IndexByte(buf, '\n') >= 0 && !crlfOnly(buf) {
			return parsedHead{}, headHandOff // a bare LF: net/http's to judge
		}
		return parsedHead{}, headIncomplete
	}
	block := string(buf[:end+2]) // one allocation for every line
	line, rest, ok := cutLine(block)
	if !ok {
		return parsedHead{}, headHandOff
	}
	mem.req = http.Request{}
	head := parsedHead{req: &mem.req, mem: mem, size: end + 4}
	if !requestLine(head.req, mem, line) || !requestFields(head.req, mem, rest) {
		return parsedHead{}, headHandOff
	}
	return head, headServe
}

// crlfOnly reports whether every LF in buf follows a CR.
func crlfOnly(buf []byte) bool {
	for i, c := range buf {
		if c == '\n' && (i == 0 || buf[i-1] != '\r') {
			return false
		}
	}
	return true
}

// requestLine parses "GET /path?q HTTP/1.1" into req, its URL into
// mem's when it can (simpleTarget).
func requestLine(req *http.Request, mem *request, line string) bool {
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return false
	}
	switch method { // the constants: no string kept alive by the head's block
	case http.MethodGet:
		method = http.MethodGet
	case http.MethodHead:
		method = http.MethodHead
	case http.MethodOptions:
		method = http.MethodOptions
	default:
		return false
	}
	req.Method, req.RequestURI, req.ProtoMajor = method, target, 1
	switch proto {
	case "HTTP/1.1":
		req.Proto, req.ProtoMinor = "HTTP/1.1", 1
	case "HTTP/1.0":
		req.Proto = "HTTP/1.0"
	default:
		return false
	}
	if target == "" || target[0] != '/' || !validTarget(target) {
		return false
	}
	if simpleTarget(target, &mem.url) {
		req.URL = &mem.url
		return true
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return false
	}
	req.URL = u
	return true
}

// simpleTarget sets u as url.ParseRequestURI would read target, an
// origin-form target of visible ASCII (validTarget), and reports true,
// when its path needs no unescaping nor escaping: no '%', only
// characters a URL path keeps as they are (pathKeeps), so that Path is
// the path as sent and RawPath empty. For any other target it reports
// false and ParseRequestURI reads it. TestSimpleTarget and
// FuzzRequestHead hold the two to the same URL.
func simpleTarget(target string, u *url.URL) bool {
	path, query, hasQuery := strings.Cut(target, "?")
	for i := 0; i < len(path); i++ {
		if !pathKeeps(path[i]) {
			return false
		}
	}
	*u = url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}
	return true
}

// pathKeeps reports whether c stands for itself in a URL path: net/url
// neither unescapes nor escapes it there.
func pathKeeps(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~/$&+,;=:@", c) >= 0
}

// validTarget reports whether a request target holds only visible ASCII
// (no space, control or 8-bit byte, no fragment).
func validTarget(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// requestFields parses the header lines (each ending in CRLF) into req,
// their values into mem's, and reports whether the front serves the
// request they describe.
func requestFields(req *http.Request, mem *request, lines string) bool {
	h := mem.header
	clear(h)
	values := mem.values[:] // each field's first value gets a capped slice of it
	hosts := 0
	for lines != "" {
		line, rest, crlf := cutLine(lines)
		if !crlf {
			return false
		}
		lines = rest
		name, value, found := strings.Cut(line, ":")
		if !found || !validFieldName(name) || !validFieldValue(value) {
			return false // also an obs-fold line: it starts with a space
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		value = textproto.TrimString(value)
		switch key {
		case "Transfer-Encoding", "Upgrade", "Expect", "Http2-Settings":
			return false
		case "Content-Length":
			if value != "0" || h[key] != nil {
				return false
			}
		case "Host":
			if hosts++; hosts > 1 || !plainHost(value) {
				return false
			}
			req.Host = value
			continue // net/http keeps Host out of the header map
		}
		switch old := h[key]; {
		case old != nil:
			h[key] = append(old, value) // a copy: old is capped
		case len(values) > 0:
			values[0] = value
			h[key] = values[:1:1]
			values = values[1:]
		default:
			h[key] = []string{value}
		}
	}
	if hosts == 0 && req.ProtoMinor == 1 {
		return false // net/http answers 400
	}
	if p := h["Pragma"]; len(p) > 0 && p[0] == "no-cache" && h["Cache-Control"] == nil {
		h["Cache-Control"] = []string{"no-cache"} // as net/http's fixPragmaCacheControl
	}
	req.Header = h
	req.Body = http.NoBody
	req.Close = wantsClose(req)
	return true
}

// wantsClose is net/http's Request.Close for a request: it asks to
// close, or it is HTTP/1.0 and does not ask to keep alive.
func wantsClose(req *http.Request) bool {
	conn := req.Header["Connection"]
	return tokenIn(conn, "close") || req.ProtoMinor == 0 && !tokenIn(conn, "keep-alive")
}

// validFieldValue reports whether v holds no control character but tab
// (net/http's check of request header values).
func validFieldValue(v string) bool { return validText(v) }

// plainHost reports whether h is a host or host:port of letters, digits
// and . - _ : [ ] only (a subset of what net/http accepts; the others
// go to net/http).
func plainHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '-', c == '_', c == ':', c == '[', c == ']':
		default:
			return false
		}
	}
	return true
}
