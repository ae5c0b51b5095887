package front

import (
	"bufio"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// responseWriter is the http.ResponseWriter of a request the front serves.
// It frames the answer as net/http's server does (its chunkWriter's
// writeHeader, ported): the first 2 KiB of body are held back so that a
// short answer gets a Content-Length and a Content-Type sniffed when it
// has none; a longer one, or one flushed early, is chunked on HTTP/1.1
// and ends the connection on HTTP/1.0; Date, Connection: keep-alive for
// an HTTP/1.0 client that asked, Connection: close when the connection
// ends; 1xx answers written at once; trailers after the last chunk.
//
// Unlike net/http it does not copy the header map at WriteHeader: the
// headers are written from the handler's map when the first bytes go
// out: the handler may change the map after WriteHeader only to set
// trailers, and only after a flush (New).
type responseWriter struct {
	bw  *bufio.Writer
	req *http.Request
	h   http.Header

	shutdown    *atomic.Bool // the front's: keep-alives end when it is set
	dates       *dateCache   // the front's
	wroteHeader bool         // WriteHeader(final) was called
	sent        bool         // the status line and headers are in bw
	handlerDone bool
	chunking    bool
	closeAfter  bool // the connection ends after this answer
	status      int
	length      int64 // the Content-Length, -1 when unknown
	written     int64
	held        []byte // body held back until the headers go
	werr        error  // the first write error
	trailers    []string
}

// bufferBeforeChunking is how much body net/http holds back to set a
// Content-Length.
const bufferBeforeChunking = 2048

// reset readies w for req, with the connection's buffers and header map
// (nobody keeps the map past the handler).
func (w *responseWriter) reset(req *http.Request) {
	held, h, trailers := w.held[:0], w.h, w.trailers[:0]
	clear(h)
	*w = responseWriter{bw: w.bw, shutdown: w.shutdown, dates: w.dates, req: req, h: h, held: held, trailers: trailers, length: -1}
}

// Header returns the answer's header map.
func (w *responseWriter) Header() http.Header { return w.h }

// WriteHeader writes a 1xx answer at once, or sets the final status.
func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.writeStatus(code)
		w.writeFields(excludeNoBody)
		w.bw.WriteString("\r\n")
		w.noteErr(w.bw.Flush())
		return
	}
	w.wroteHeader, w.status = true, code
	if cl := firstValue(w.h["Content-Length"]); cl != "" {
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil && v >= 0 {
			w.length = v
		} else {
			w.h.Del("Content-Length")
		}
	}
}

// Write writes body bytes, held back until the headers go.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowedForStatus(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(len(p))
	if w.length != -1 && w.written > w.length {
		return 0, http.ErrContentLength
	}
	if w.werr != nil {
		return 0, w.werr
	}
	if !w.sent {
		if len(w.held)+len(p) <= bufferBeforeChunking {
			w.held = append(w.held, p...)
			return len(p), nil
		}
		w.sendHeldAnd(p)
	} else {
		w.writeBody(p)
	}
	if w.werr != nil {
		return 0, w.werr
	}
	return len(p), nil
}

// sendHeldAnd writes the headers, judged on the held body (or p when
// none is held), then the held body and p.
func (w *responseWriter) sendHeldAnd(p []byte) {
	first := w.held
	if len(first) == 0 {
		first = p
	}
	w.writeHeader(first)
	w.writeBody(w.held)
	w.held = w.held[:0]
	w.writeBody(p)
}

// FlushError sends what is written so far (http.ResponseController).
func (w *responseWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.sent {
		w.sendHeldAnd(nil)
	}
	w.noteErr(w.bw.Flush())
	return w.werr
}

// Flush is FlushError for http.Flusher.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// finish ends the answer once the handler returned, and reports whether
// the connection may serve another request. The caller flushes bw.
func (w *responseWriter) finish() bool {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.handlerDone = true
	if !w.sent {
		w.sendHeldAnd(nil)
	}
	if w.chunking {
		w.bw.WriteString("0\r\n")
		w.writeTrailers()
		w.bw.WriteString("\r\n")
	}
	complete := w.req.Method == http.MethodHead || w.length == -1 || !bodyAllowedForStatus(w.status) ||
		w.length == w.written
	return !w.closeAfter && complete && w.werr == nil
}

func (w *responseWriter) writeBody(p []byte) {
	if len(p) == 0 || w.req.Method == http.MethodHead || w.werr != nil {
		return
	}
	if w.chunking {
		w.bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		w.bw.WriteString("\r\n")
	}
	_, err := w.bw.Write(p)
	if w.chunking && err == nil {
		_, err = w.bw.WriteString("\r\n")
	}
	w.noteErr(err)
}

func (w *responseWriter) noteErr(err error) {
	if err != nil && w.werr == nil {
		w.werr = err
	}
}

// The headers writeHeader may leave out of the handler's map.
const (
	excludeContentLength = 1 << iota
	excludeTransferEncoding
	excludeContentType
	excludeConnection
	excludeTrailerPrefixed

	excludeNoBody = excludeContentLength | excludeTransferEncoding
)

// writeHeader writes the status line and headers, deciding the framing
// as net/http does; first is the start of the body (all of it when the
// handler is done). It looks the map up by canonical names directly
// (firstValue), where Header.Get would canonicalize each name again.
func (w *responseWriter) writeHeader(first []byte) {
	w.sent = true
	h, code := w.h, w.status
	keepAlives := !w.shutdown.Load()
	isHEAD, is11 := w.req.Method == http.MethodHead, w.req.ProtoMinor == 1
	exclude := 0
	var extra struct{ contentType, connection, te, length string }

	hasTrailers := w.declareTrailers()
	if hasTrailers {
		exclude |= excludeTrailerPrefixed
	}
	te := firstValue(h["Transfer-Encoding"])
	hasTE := te != ""
	if w.handlerDone && !hasTrailers && !hasTE && bodyAllowedForStatus(code) && !has(h, "Content-Length") &&
		(!isHEAD || len(first) > 0) {
		w.length = int64(len(first))
		extra.length = strconv.Itoa(len(first))
	}
	conn := firstValue(w.req.Header["Connection"])            // net/http reads the first value only, and loosely (hasToken)
	wants10KeepAlive := !is11 && hasToken(conn, "keep-alive") // as net/http, even with "close"
	if wants10KeepAlive && keepAlives && firstValue(h["Content-Length"]) != "" && firstValue(h["Connection"]) == "keep-alive" {
		w.closeAfter = false
	}
	hasCL := w.length != -1
	if wants10KeepAlive && (isHEAD || hasCL || !bodyAllowedForStatus(code)) {
		if _, set := h["Connection"]; !set {
			extra.connection = "keep-alive"
		}
	} else if !is11 || w.req.Close || hasToken(conn, "close") {
		w.closeAfter = true
	}
	if firstValue(h["Connection"]) == "close" || !keepAlives {
		w.closeAfter = true
	}
	if bodyAllowedForStatus(code) {
		if _, haveType := h["Content-Type"]; !haveType && !hasTE && firstValue(h["Content-Encoding"]) == "" && len(first) > 0 {
			extra.contentType = http.DetectContentType(first)
		}
	} else {
		exclude |= excludeNoBody
		if code == http.StatusNotModified {
			exclude |= excludeContentType
		}
	}
	if hasCL && hasTE && te != "identity" {
		exclude |= excludeContentLength
		hasCL = false
	}
	switch {
	case isHEAD || !bodyAllowedForStatus(code) || code == http.StatusNoContent, hasCL:
		exclude |= excludeTransferEncoding
	case is11 && hasTE && te == "identity":
		w.closeAfter = true
		exclude |= excludeTransferEncoding
	case is11:
		w.chunking = true
		extra.te = "chunked"
		if te == "chunked" {
			exclude |= excludeTransferEncoding
		}
	default:
		w.closeAfter = true
		exclude |= excludeTransferEncoding
	}
	if w.chunking {
		exclude |= excludeContentLength
	}
	if w.closeAfter && (!keepAlives || !hasToken(firstValue(h["Connection"]), "close")) {
		exclude |= excludeConnection
		if is11 {
			extra.connection = "close"
		}
	}
	w.writeStatus(code)
	w.writeFields(exclude)
	for _, f := range [...]struct{ k, v string }{
		{"Content-Type", extra.contentType}, {"Connection", extra.connection}, {"Transfer-Encoding", extra.te},
	} {
		if f.v != "" {
			writeField(w.bw, f.k, f.v)
		}
	}
	if !has(h, "Date") {
		w.bw.WriteString("Date: ")
		w.bw.WriteString(w.dates.now())
		w.bw.WriteString("\r\n")
	}
	if extra.length != "" {
		writeField(w.bw, "Content-Length", extra.length)
	}
	w.bw.WriteString("\r\n")
}

// declareTrailers notes the trailers the Trailer header declares, and
// reports whether the answer has trailers.
func (w *responseWriter) declareTrailers() bool {
	found := false
	for k := range w.h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			found = true
		}
	}
	for _, v := range w.h["Trailer"] {
		found = true
		for k := range strings.SplitSeq(v, ",") {
			if k = textproto.TrimString(k); k != "" {
				k = textproto.CanonicalMIMEHeaderKey(k)
				switch k {
				case "Transfer-Encoding", "Trailer", "Content-Length":
				default:
					w.trailers = append(w.trailers, k)
				}
			}
		}
	}
	return found
}

// writeTrailers writes the declared trailers and those set under
// http.TrailerPrefix.
func (w *responseWriter) writeTrailers() {
	for _, k := range w.trailers {
		for _, v := range w.h[k] {
			writeField(w.bw, k, v)
		}
	}
	for k, vv := range w.h {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && validFieldName(name) {
			for _, v := range vv {
				writeField(w.bw, name, v)
			}
		}
	}
}

func (w *responseWriter) writeStatus(code int) {
	if w.req.ProtoMinor == 1 {
		w.bw.WriteString("HTTP/1.1 ")
	} else {
		w.bw.WriteString("HTTP/1.0 ")
	}
	text := http.StatusText(code)
	if text == "" {
		text = "status code " + strconv.Itoa(code)
	}
	w.bw.WriteByte(byte('0' + code/100)) // three digits (WriteHeader checks); Itoa would allocate
	w.bw.WriteByte(byte('0' + code/10%10))
	w.bw.WriteByte(byte('0' + code%10))
	w.bw.WriteByte(' ')
	w.bw.WriteString(text)
	w.bw.WriteString("\r\n")
}

// writeFields writes the handler's header fields but the excluded.
func (w *responseWriter) writeFields(exclude int) {
	for k, vv := range w.h {
		if excluded(k, exclude) || !validFieldName(k) {
			continue
		}
		for _, v := range vv {
			writeField(w.bw, k, v)
		}
	}
}

func excluded(k string, exclude int) bool {
	switch k {
	case "Content-Length":
		return exclude&excludeContentLength != 0
	case "Transfer-Encoding":
		return exclude&excludeTransferEncoding != 0
	case "Content-Type":
		return exclude&excludeContentType != 0
	case "Connection":
		return exclude&excludeConnection != 0
	}
	return exclude&excludeTrailerPrefixed != 0 && strings.HasPrefix(k, http.TrailerPrefix)
}

func has(h http.Header, k string) bool { _, ok := h[k]; return ok }

// bodyAllowedForStatus is net/http's: no body for 1xx, 204 and 304.
func bodyAllowedForStatus(code int) bool {
	switch {
	case code >= 100 && code <= 199, code == http.StatusNoContent, code == http.StatusNotModified:
		return false
	}
	return true
}

// dateCache makes the Date header's value once a second.
type dateCache struct{ last atomic.Pointer[dateText] }

type dateText struct {
	unix int64
	text string
}

// now returns the current time as an HTTP date.
func (c *dateCache) now() string {
	now := time.Now()
	if d := c.last.Load(); d != nil && d.unix == now.Unix() {
		return d.text
	}
	d := &dateText{unix: now.Unix(), text: now.UTC().Format(http.TimeFormat)}
	c.last.Store(d)
	return d.text
}
