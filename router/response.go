package router

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"reflect"
	"strconv"
	"strings"
)

// readResponse reads an instance's answer up to its body. The usual
// answer to a fast-path request (HTTP/1.1, a status with a body, framed
// by one Content-Length, its headers all in one read) is parsed from the
// reader's buffer with a handful of allocations (quickResponse); any
// other goes to http.ReadResponse, which quickResponse leaves the bytes
// to untouched. FuzzQuickResponse holds the two to the same answer.
//
// With into set (the client's header map, on the forwarding path), a
// quickly parsed answer's headers go straight into it, but for the
// hop-by-hop ones, and the answer's Header is into: one map fewer to
// make, fill and copy per request. relay knows it by sameHeader.
func readResponse(br *bufio.Reader, req *http.Request, into http.Header) (*http.Response, error) {
	if _, err := br.Peek(1); err != nil {
		return nil, err // nothing came: let the caller see why
	}
	if resp := quickResponse(br, req, into); resp != nil {
		return resp, nil
	}
	return http.ReadResponse(br, req)
}

// quickResponse parses the answer whose status line and headers are in
// br's buffer, and discards them, when it is one it knows to read as
// http.ReadResponse would: HTTP/1.1; a status of 200 to 599 other than
// 204 and 304, to a request other than HEAD; exactly one Content-Length
// and no Transfer-Encoding, Trailer, Connection or Pragma (each changes
// how net/http reads or rewrites the answer); at most maxQuickFields
// well-formed lines ending in CRLF. Otherwise it returns nil and leaves
// br (and into) as they were.
func quickResponse(br *bufio.Reader, req *http.Request, into http.Header) *http.Response {
	if req.Method == http.MethodHead {
		return nil
	}
	buf, _ := br.Peek(br.Buffered())
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return nil // the headers are not all in yet: net/http reads on
	}
	block := string(buf[:end+2]) // one allocation for every line
	line, rest, _ := cutLine(block)
	code, status, ok := statusLine(line)
	if !ok {
		return nil
	}
	var fields [maxQuickFields]field
	n, length, ok := quickFields(rest, &fields)
	if !ok {
		return nil
	}
	a := new(quickAnswer)
	a.resp = http.Response{
		Status: status, StatusCode: code, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: fill(into, fields[:n], a.values[:]), ContentLength: length, Request: req, Body: http.NoBody,
	}
	if length > 0 {
		a.body = contentBody{r: br, n: length}
		a.resp.Body = &a.body
	}
	_, _ = br.Discard(end + 4)
	return &a.resp
}

// quickAnswer is what quickResponse makes for an answer, but the bytes of
// its head: the response, its body and the backing array of its header
// values, one allocation in place of one each.
type quickAnswer struct {
	resp   http.Response
	body   contentBody
	values [maxSlabFields]string
}

// maxSlabFields is how many header lines' values quickAnswer holds; fill
// makes an array for an answer with more.
const maxSlabFields = 8

// maxQuickFields is the most header lines quickResponse takes.
const maxQuickFields = 32

// field is one header line: its canonical name and its trimmed value.
type field struct{ key, value string }

// fill adds fs to h and returns h; a nil h is made for them. Into a
// given h (the client's), the hop-by-hop fields are not added. The
// values go into slab when it holds them all.
func fill(h http.Header, fs []field, slab []string) http.Header {
	hop := h != nil
	if h == nil {
		h = make(http.Header, len(fs))
	}
	values := slab // one backing array; each key gets a capped slice of it
	if len(fs) > len(slab) {
		values = make([]string, len(fs))
	}
	for _, f := range fs {
		if hop && isHopByHop(f.key) {
			continue
		}
		if old, dup := h[f.key]; dup {
			h[f.key] = append(old, f.value)
			continue
		}
		values[0] = f.value
		h[f.key] = values[:1:1]
		values = values[1:]
	}
	return h
}

func isHopByHop(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
		"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// sameHeader reports whether a and b are one map (readResponse's into).
func sameHeader(a, b http.Header) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// statusLine parses "HTTP/1.1 200 OK" into 200 and "200 OK".
func statusLine(line string) (int, string, bool) {
	const proto = "HTTP/1.1 "
	if len(line) < len(proto)+3 || line[:len(proto)] != proto {
		return 0, "", false
	}
	status := line[len(proto):]
	if len(status) > 3 && status[3] != ' ' {
		return 0, "", false
	}
	code := 0
	for _, c := range []byte(status[:3]) {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		code = code*10 + int(c-'0')
	}
	if code < 200 || code > 599 || code == http.StatusNoContent || code == http.StatusNotModified ||
		!validText(status) {
		return 0, "", false
	}
	return code, status, true
}

// quickFields parses header lines (each ending in CRLF) into fs, and
// returns how many there are and the Content-Length. ok is false for
// anything quickResponse leaves to net/http.
func quickFields(lines string, fs *[maxQuickFields]field) (n int, length int64, ok bool) {
	length = -1
	for ; lines != ""; n++ {
		line, rest, crlf := cutLine(lines)
		if !crlf || n == len(fs) {
			return 0, 0, false
		}
		lines = rest
		name, value, found := strings.Cut(line, ":")
		if !found || !validFieldName(name) || !validText(value) {
			return 0, 0, false // also a continuation line: it starts with a space
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		value = textproto.TrimString(value)
		switch key {
		case "Transfer-Encoding", "Trailer", "Connection", "Pragma":
			return 0, 0, false
		case "Content-Length":
			if length >= 0 {
				return 0, 0, false
			}
			if length = contentLength(value); length < 0 {
				return 0, 0, false
			}
		}
		fs[n] = field{key, value}
	}
	return n, length, length >= 0
}

// contentLength parses a Content-Length value as net/http does (digits
// only), or returns -1.
func contentLength(v string) int64 {
	if v == "" {
		return -1
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return -1
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

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

// contentBody is a body of a known length read from the connection's
// buffer, as net/http's own for a Content-Length answer: io.EOF after
// the last byte, io.ErrUnexpectedEOF when the connection ends before.
type contentBody struct {
	r *bufio.Reader
	n int64 // bytes left
}

func (b *contentBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	switch {
	case b.n == 0:
		return n, io.EOF
	case err == io.EOF:
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *contentBody) Close() error { return nil }
