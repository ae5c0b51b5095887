package front

import (
	"bufio"
	"net/textproto"
	"strings"
)

// The HTTP/1.1 syntax the front reads and writes. The router's
// forwarding and response reading have their own copies of these few
// lines: the front's reading of requests is held to net/http's server
// (and is to grow stricter, as nginx is), the router's to its
// ReverseProxy and http.ReadResponse, and the two may part.

// cutLine splits s after its first line: crlf is false when the line
// does not end in CRLF (a bare LF, or none).
func cutLine(s string) (line, rest string, crlf bool) {
	i := strings.IndexByte(s, '\n')
	if i < 1 || s[i-1] != '\r' {
		return s, "", false
	}
	return s[:i-1], s[i+1:], true
}

// validText reports whether s holds no control character but tab (a
// field value's bytes, RFC 9110 5.5).
func validText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validFieldName reports whether k is an RFC 9110 token.
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

// tokenIn reports whether a comma-separated header holds token in any
// ASCII case, as net/http reads a request's Connection for its Close
// (httpguts.HeaderValuesContainsToken). Not strings.EqualFold, which
// would read "clo\u017fe" or "\u212aeep-alive" as a token net/http does
// not (FuzzRequestHead found it).
func tokenIn(values []string, token string) bool {
	for _, f := range values {
		for sf := range strings.SplitSeq(f, ",") {
			if asciiEqualFold(strings.Trim(sf, " \t"), token) {
				return true
			}
		}
	}
	return false
}

// hasToken is net/http's server's reading of a Connection value for its
// answer (its hasToken): whether v holds token, in any ASCII case,
// between spaces, tabs or commas. It is looser than tokenIn ("x close"
// holds close) and net/http applies it to the first value only.
func hasToken(v, token string) bool {
	for at := 0; at+len(token) <= len(v); at++ {
		end := at + len(token)
		if (at == 0 || tokenBoundary(v[at-1])) && (end == len(v) || tokenBoundary(v[end])) &&
			asciiEqualFold(v[at:end], token) {
			return true
		}
	}
	return false
}

func tokenBoundary(b byte) bool { return b == ' ' || b == ',' || b == '\t' }

// asciiEqualFold reports whether s and t are equal in ASCII case.
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if asciiLower(s[i]) != asciiLower(t[i]) {
			return false
		}
	}
	return true
}

func asciiLower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// firstValue is a header's first value, or "".
func firstValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// writeField writes one header line, with CR and LF in the value turned
// to spaces as net/http's writer does.
func writeField(bw *bufio.Writer, k, v string) {
	v = textproto.TrimString(v)
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(v)
	bw.WriteString("\r\n")
}
