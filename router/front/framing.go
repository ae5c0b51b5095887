package front

import (
	"bytes"
	"io"
	"net/http"
)

// Here the router is stricter than net/http, as nginx is: a request
// whose head has both Content-Length and Transfer-Encoding, or a
// Transfer-Encoding folded over several lines (obs-fold), gets a 400 and
// its connection is closed (RFC 9112 6.1 and 6.3: such a message "ought
// to be handled as an error"). net/http serves both (it drops the
// Content-Length, unfolds the field), and a proxy in front of the router
// that reads them otherwise would see another request boundary:
// request smuggling.
//
// Every head is judged so before it is served: the front judges the
// heads it reads, and a connection it hands to net/http carries one
// request only (New turns net/http's keep-alive off), so that the next
// request comes on a new connection, to the front again.

// headEnd returns the length of the head at the start of buf, blank line
// included, with lines ending in LF or CRLF as net/http reads them; -1
// when buf holds no blank line yet.
func headEnd(buf []byte) int {
	for i := 0; i < len(buf); {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			return -1
		}
		line := buf[i : i+j]
		i += j + 1
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			if i > 2 { // a blank line before the request line is not the end
				return i
			}
		}
	}
	return -1
}

// ambiguousFraming reports whether head (a whole request head) has both
// Content-Length and Transfer-Encoding, or a Transfer-Encoding field
// continued on the next line.
func ambiguousFraming(head []byte) bool {
	var cl, te, foldedTE bool
	inTE := false
	for i, first := 0, true; i < len(head); first = false {
		j := bytes.IndexByte(head[i:], '\n')
		if j < 0 {
			j = len(head) - i
		}
		line := bytes.TrimSuffix(head[i:i+j], []byte("\r"))
		i += j + 1
		if first || len(line) == 0 {
			continue // the request line, the blank line
		}
		if line[0] == ' ' || line[0] == '\t' {
			foldedTE = foldedTE || inTE
			continue
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		inTE = asciiEqualFold(string(name), "transfer-encoding")
		te = te || inTE
		cl = cl || asciiEqualFold(string(name), "content-length")
	}
	return cl && te || foldedTE
}

// wholeHead reads, past the connection's buffer if need be, the head of
// the request about to be handed off, up to limit bytes. It returns the
// bytes it took out of br (to be read again first by net/http), the
// head's length in them (-1 when there is no whole head within limit:
// net/http judges what it gets), and the error that cut the read.
func wholeHead(br io.Reader, buffered []byte, limit int) (taken []byte, end int, err error) {
	if end := headEnd(buffered); end >= 0 {
		return nil, end, nil
	}
	taken = make([]byte, len(buffered))
	if _, err := io.ReadFull(br, taken); err != nil { // takes what was buffered
		return taken, -1, err
	}
	buf := make([]byte, 4096)
	for len(taken) < limit {
		n, err := br.Read(buf)
		taken = append(taken, buf[:n]...)
		if end := headEnd(taken); end >= 0 {
			return taken, end, nil
		}
		if err != nil {
			return taken, -1, err
		}
	}
	return taken, -1, nil
}

// badFraming is the answer to a request with ambiguous framing, in
// net/http's form for the requests it refuses.
const badFraming = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" +
	"400 Bad Request: both Content-Length and Transfer-Encoding, or a folded Transfer-Encoding"

// maxHeaderBytes is net/http's limit on a head for srv, plus the slack
// it allows.
func maxHeaderBytes(srv *http.Server) int {
	n := srv.MaxHeaderBytes
	if n <= 0 {
		n = http.DefaultMaxHeaderBytes
	}
	return n + 4096
}
