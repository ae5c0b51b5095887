package router

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// A fast-path request (fastPathOK) from a client is forwarded without
// httputil.ReverseProxy: the client's request is written to the instance
// as it stands, without the copy the proxy makes of it (Clone, its
// header map, a context with a trace, the rewritten URL), and the
// answer's header values are handed to the client's header map rather
// than copied value by value. That was about half of the router's
// allocations per request. What reaches the instance and the client is
// what the route's ReverseProxy (Router.newProxy, rewrite) would send:
// forward_test.go compares the two on the same requests.

// serveFast serves a fast-path request: an instance is picked (and
// others tried) as by roundTrip, and its answer is relayed to w.
func (rt *Router) serveFast(w http.ResponseWriter, r *route, req *http.Request) {
	resp, err := rt.tryInstances(r, req, nil, func(b *backend) (*http.Response, error) {
		return rt.fastAttempt(r, b, req, w)
	})
	if err != nil {
		rt.proxyError(w, req, r, err)
		return
	}
	rt.relay(w, req, resp)
}

// relay writes an instance's answer to the client, as ReverseProxy does:
// hop-by-hop headers dropped, trailers announced and passed on, a stream
// (text/event-stream, or no Content-Length) flushed as it comes. When the
// body cannot be copied to its end the client's connection is aborted
// (http.ErrAbortHandler), so that a cut answer never looks complete.
func (rt *Router) relay(w http.ResponseWriter, req *http.Request, resp *http.Response) {
	h := w.Header()
	if !sameHeader(resp.Header, h) { // else readResponse filled h already
		removeHopByHop(resp.Header)
		for k, vv := range resp.Header {
			if old, ok := h[k]; ok {
				h[k] = append(old, vv...) // e.g. a sticky Set-Cookie of ours
			} else {
				h[k] = vv // resp is ours alone: no need to copy its values
			}
		}
	}
	announced := len(resp.Trailer)
	if announced > 0 {
		keys := make([]string, 0, announced)
		for k := range resp.Trailer {
			keys = append(keys, k)
		}
		h.Add("Trailer", strings.Join(keys, ", "))
	}
	stream := streams(resp)
	w.WriteHeader(resp.StatusCode)
	if stream {
		flush(w) // the client sees the headers before the first event
	}
	if err := rt.copyBody(w, resp.Body, stream); err != nil {
		resp.Body.Close()
		if req.Context().Value(http.ServerContextKey) != nil {
			panic(http.ErrAbortHandler) // the server recovers it and cuts the connection
		}
		return
	}
	resp.Body.Close() // at EOF: resp.Trailer is complete
	relayTrailers(w, resp.Trailer, announced)
}

// relayTrailers passes the answer's trailers on, as ReverseProxy does:
// under their names when they were all announced, else with
// http.TrailerPrefix.
func relayTrailers(w http.ResponseWriter, trailer http.Header, announced int) {
	if len(trailer) == 0 {
		return
	}
	flush(w) // chunked: trailers need it, and net/http must not set a Content-Length
	h := w.Header()
	for k, vv := range trailer {
		if len(trailer) != announced {
			k = http.TrailerPrefix + k
		}
		for _, v := range vv {
			h.Add(k, v)
		}
	}
}

// streams reports whether an answer is flushed to the client write by
// write: server-sent events, and bodies of unknown length.
func streams(resp *http.Response) bool {
	if resp.ContentLength == -1 {
		return true
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return strings.EqualFold(textproto.TrimString(ct), "text/event-stream")
}

func flush(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }

// copyBody copies an answer's body to the client with a pooled buffer,
// flushing after each write when stream is set. It returns read errors
// other than EOF and write errors.
func (rt *Router) copyBody(w http.ResponseWriter, body io.Reader, stream bool) error {
	bp := rt.buffers.get()
	defer rt.buffers.put(bp)
	buf := *bp
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			if stream {
				flush(w)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// hopHeaders are the hop-by-hop headers a proxy drops (RFC 9110 7.6.1),
// as httputil.ReverseProxy does.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// removeHopByHop drops the hop-by-hop headers from h, and those its
// Connection header names.
func removeHopByHop(h http.Header) {
	for _, f := range h["Connection"] {
		for sf := range strings.SplitSeq(f, ",") {
			if sf = textproto.TrimString(sf); sf != "" {
				h.Del(sf)
			}
		}
	}
	for _, f := range hopHeaders {
		delete(h, f)
	}
}

// writeForwarded writes the client's request req to an instance at addr
// as the route's ReverseProxy would send it: HTTP/1.1, keep-alive, the
// hop-by-hop headers and those the client's Connection header names
// dropped ("Te: trailers" kept), the forwarding headers as f says
// (forwarded.go), no Go User-Agent of its own, query parameters that do
// not parse re-encoded. req itself is not changed.
func writeForwarded(bw *bufio.Writer, req *http.Request, addr string, f *forwarding) error {
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	if err := writeTarget(bw, req.URL); err != nil {
		return err
	}
	bw.WriteString(" HTTP/1.1\r\n")
	host := req.Host
	if host == "" {
		host = addr
	}
	writeField(bw, "Host", cleanHost(host))
	if ua := req.Header["User-Agent"]; len(ua) > 0 && ua[0] != "" {
		writeField(bw, "User-Agent", ua[0])
	}
	conn := req.Header["Connection"]
	for k, vv := range req.Header {
		if notForwarded(k) || namedIn(conn, k) || !validFieldName(k) {
			continue
		}
		for _, v := range vv {
			writeField(bw, k, v)
		}
	}
	if tokenIn(req.Header["Te"], "trailers") {
		bw.WriteString("Te: trailers\r\n")
	}
	if f.xff != "" {
		writeField(bw, "X-Forwarded-For", f.xff)
	}
	writeField(bw, "X-Forwarded-Host", f.xfh)
	writeField(bw, "X-Forwarded-Proto", f.xfp)
	bw.WriteString("Forwarded: ")
	f.writeElements(bw)
	bw.WriteString("\r\n\r\n")
	return nil // bufio keeps the first write error: Flush returns it
}

// notForwarded reports whether the client's header k is never passed on
// as it is: hop-by-hop, the client's own forwarding headers (replaced),
// and those net/http's request writer sets itself.
func notForwarded(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade",
		"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
		"Host", "User-Agent", "Content-Length":
		return true
	}
	return false
}

// namedIn reports whether a Connection header names field k, in ASCII
// case as ReverseProxy's Header.Del and httpguts read it: not
// strings.EqualFold, which takes "X-\u017fig" for X-Sig.
func namedIn(conn []string, k string) bool {
	for _, f := range conn {
		for sf := range strings.SplitSeq(f, ",") {
			if asciiEqualFold(textproto.TrimString(sf), k) {
				return true
			}
		}
	}
	return false
}

// asciiEqualFold reports whether s and t are equal in ASCII case.
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// tokenIn reports whether a comma-separated header holds token (any case).
func tokenIn(values []string, token string) bool { return namedIn(values, token) }

// writeField writes one header line, with CR and LF in the value turned
// to spaces as net/http's writer does.
func writeField(bw *bufio.Writer, k, v string) {
	v = textproto.TrimString(v)
	if strings.IndexByte(v, '\r') >= 0 || strings.IndexByte(v, '\n') >= 0 { // not ContainsAny: it builds a set per call, 1% of the router's CPU
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(v)
	bw.WriteString("\r\n")
}

// writeTarget writes u's request target (RequestURI) with query
// parameters that do not parse (a ';', a bad escape) re-encoded, as
// ReverseProxy sends it; the usual path and query are written as they
// are, without building the target as one string.
func writeTarget(bw *bufio.Writer, u *url.URL) error {
	q := cleanQuery(u.RawQuery)
	if u.Opaque != "" {
		c := *u
		c.RawQuery = q
		return writeTargetPart(bw, c.RequestURI())
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if err := writeTargetPart(bw, p); err != nil {
		return err
	}
	if u.ForceQuery || q != "" {
		bw.WriteByte('?')
		return writeTargetPart(bw, q)
	}
	return nil
}

func writeTargetPart(bw *bufio.Writer, s string) error {
	if containsCTL(s) {
		return errors.New("net/http: can't write control character in Request.URL")
	}
	bw.WriteString(s)
	return nil
}

// cleanQuery is httputil's cleanQueryParams: a query with a ';' or a bad
// %-escape is parsed and re-encoded (dropping what does not parse).
func cleanQuery(s string) string {
	for i := 0; i < len(s); {
		switch s[i] {
		case ';':
			return reencode(s)
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return reencode(s)
			}
			i += 3
		default:
			i++
		}
	}
	return s
}

func reencode(s string) string {
	v, _ := url.ParseQuery(s)
	return v.Encode()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func containsCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' || b == 0x7f {
			return true
		}
	}
	return false
}

// cleanHost is the Host header net/http's writer sends for host: empty
// when host holds a byte no host may have, and without an IPv6 zone.
func cleanHost(host string) string {
	for i := 0; i < len(host); i++ {
		if !validHostByte(host[i]) {
			return ""
		}
	}
	if strings.HasPrefix(host, "[") {
		if i := strings.LastIndexByte(host, ']'); i > 0 {
			if j := strings.LastIndexByte(host[:i], '%'); j > 0 {
				return host[:j] + host[i:]
			}
		}
	}
	return host
}

// validHostByte is RFC 3986's reg-name, IP-literal and port characters,
// as golang.org/x/net/http/httpguts.ValidHostHeader allows them.
func validHostByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!$%&'()*+,-.:;=[]_~", b) >= 0
}

// validFieldName reports whether k is an RFC 9110 token: net/http's
// writer drops a header whose name is not.
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0:
		default:
			return false
		}
	}
	return true
}

// write1xx passes an informational answer (103 Early Hints) to the
// client with its own headers only: the headers already set for the
// final answer (a sticky cookie) are kept for it.
func write1xx(w http.ResponseWriter, resp *http.Response) {
	h := w.Header()
	var keep http.Header
	if len(h) > 0 {
		keep = h.Clone()
		clear(h)
	}
	for k, vv := range resp.Header {
		h[k] = vv
	}
	w.WriteHeader(resp.StatusCode)
	clear(h)
	for k, vv := range keep {
		h[k] = vv
	}
}
