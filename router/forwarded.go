package router

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strings"
)

// The router tells an instance who its client is and how it was
// reached, in the headers nginx and httputil set (X-Forwarded-For, -Host,
// -Proto) and in RFC 7239's Forwarded, which says the same in one
// standard field: for= the client's address, host= the Host it asked
// for, proto= http or https.
//
// A client may send any of them, claiming to be someone else: what a
// request brings is dropped, unless its connection comes from a proxy
// the operator trusts (Config.TrustedProxies: a load balancer in front
// of the router). A trusted proxy's values are kept and the router's own
// hop is added: X-Forwarded-For and Forwarded get one more element (the
// proxy's address, as the router sees it), and X-Forwarded-Host and
// -Proto, which name the original request, stay the proxy's.

// forwarding is what a request's forwarding headers say.
type forwarding struct {
	xff, xfh, xfp string // "" xff: the client's address is not an IP (left out)
	fwdPrior      string // a trusted proxy's Forwarded elements, or ""
	ip            string // the client's IP (for=), "" when unknown
	host, proto   string // the request's Host, http or https
}

// forwardingOf works out req's forwarding headers.
func (rt *Router) forwardingOf(req *http.Request) forwarding {
	f := forwarding{host: req.Host, proto: "http"}
	if req.TLS != nil {
		f.proto = "https"
	}
	if ip, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		f.ip = ip
	}
	f.xff, f.xfh, f.xfp = f.ip, f.host, f.proto
	if !rt.trusted(req.RemoteAddr) {
		return f
	}
	h := req.Header
	if prior := h["X-Forwarded-For"]; len(prior) > 0 {
		f.xff = strings.Join(prior, ", ") + ", " + f.ip
	}
	if v := h["X-Forwarded-Host"]; len(v) > 0 && v[0] != "" {
		f.xfh = v[0]
	}
	if v := h["X-Forwarded-Proto"]; len(v) > 0 && v[0] != "" {
		f.xfp = v[0]
	}
	if prior := h["Forwarded"]; len(prior) > 0 {
		f.fwdPrior = strings.Join(prior, ", ")
	}
	return f
}

// trusted reports whether the connection's peer (remote, host:port) is
// one of the proxies whose forwarding headers the router keeps.
func (rt *Router) trusted(remote string) bool {
	if len(rt.cfg.TrustedProxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range rt.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// stringWriter is what forwarded elements are written to: the fast
// path's bufio.Writer, or a strings.Builder.
type stringWriter interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}

// writeElements writes the value of the Forwarded header: the trusted
// proxy's elements, then the router's (RFC 7239 4: for, host, proto).
func (f *forwarding) writeElements(w stringWriter) {
	if f.fwdPrior != "" {
		w.WriteString(f.fwdPrior)
		w.WriteString(", ")
	}
	w.WriteString("for=")
	switch {
	case f.ip == "":
		w.WriteString("unknown")
	case strings.IndexByte(f.ip, ':') >= 0: // IPv6: quoted, in brackets (RFC 7239 6)
		w.WriteString(`"[`)
		w.WriteString(f.ip)
		w.WriteString(`]"`)
	default:
		w.WriteString(f.ip)
	}
	if f.host != "" {
		w.WriteString(";host=")
		writeForwardedValue(w, f.host)
	}
	w.WriteString(";proto=")
	w.WriteString(f.proto)
}

// writeForwardedValue writes v as a token, or as a quoted-string when it
// holds a byte a token may not (a host's port colon).
func writeForwardedValue(w stringWriter, v string) {
	if isToken(v) {
		w.WriteString(v)
		return
	}
	w.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			w.WriteByte('\\')
		}
		w.WriteByte(v[i])
	}
	w.WriteByte('"')
}

// isToken reports whether v is an RFC 9110 token.
func isToken(v string) bool { return validFieldName(v) }

// setHeaders sets the forwarding headers on an outgoing request's
// header map (the reverse proxy's and the mirror's path).
func (f *forwarding) setHeaders(h http.Header) {
	if f.xff != "" {
		h["X-Forwarded-For"] = []string{f.xff}
	}
	h["X-Forwarded-Host"] = []string{f.xfh}
	h["X-Forwarded-Proto"] = []string{f.xfp}
	var b strings.Builder
	f.writeElements(&b)
	h["Forwarded"] = []string{b.String()}
}

// rewrite sets the forwarding headers (httputil.ReverseProxy has dropped
// the client's); the backend is chosen in roundTrip.
func (rt *Router) rewrite(pr *httputil.ProxyRequest) {
	f := rt.forwardingOf(pr.In)
	f.setHeaders(pr.Out.Header)
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = "backend.invalid" // replaced per attempt
	pr.Out.Host = pr.In.Host
}
