package mirror

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Difference is one field in which two answers differ.
type Difference struct {
	// Field names what differs: "status", "header:Content-Type", "body"
	// (bodies that are not both JSON), or a JSON path like
	// $.items[2].price.
	Field string `json:"field"`
	// Primary and Candidate are the two values, short (at most about
	// 80 bytes); "(absent)" for a missing header or key.
	Primary   string `json:"primary"`
	Candidate string `json:"candidate"`
}

// Field names that are not JSON paths.
const (
	FieldStatus = "status"
	FieldBody   = "body"
	// HeaderPrefix starts a header's field: header:Content-Type.
	HeaderPrefix = "header:"
)

// absent stands for a header or key one side does not have.
const absent = "(absent)"

// maxValue bounds a value kept in a Difference, in bytes.
const maxValue = 80

// maxDifferences bounds the differences one Diff returns: two very
// different bodies would otherwise list every leaf.
const maxDifferences = 1000

// Diff returns the fields in which b differs from a, in order: the
// status, the compared headers by name, then the body. When either side
// has no answer (Status 0), only the status is compared. Bodies that
// both parse as JSON are compared leaf by leaf (arrays index by index,
// missing and extra keys and elements reported, ignored paths skipped);
// others, and truncated ones, are compared as bytes. A malformed ignored
// path matches nothing: check Options with Check first.
func Diff(a, b Response, o Options) []Difference {
	return compile(o).diff(a, b, &body{r: a}, &body{r: b})
}

// compiled is Options made ready for many Diffs.
type compiled struct {
	headers       []string // canonical names, sorted
	allHeaders    bool
	ignoreHeaders map[string]bool
	ignore        [][]segment
}

func compile(o Options) *compiled {
	c := &compiled{ignoreHeaders: map[string]bool{}}
	for _, h := range o.IgnoreHeaders {
		c.ignoreHeaders[http.CanonicalHeaderKey(h)] = true
	}
	for _, h := range o.Headers {
		h = http.CanonicalHeaderKey(h)
		if h == "*" {
			c.allHeaders = true
		} else if !c.ignoreHeaders[h] && !slices.Contains(c.headers, h) {
			c.headers = append(c.headers, h)
		}
	}
	slices.Sort(c.headers)
	for _, p := range o.IgnoreJSONPaths {
		if segs, err := parsePath(p); err == nil {
			c.ignore = append(c.ignore, segs)
		}
	}
	return c
}

// body is a response body, decoded the first time it is needed: equal
// bodies are never decoded, and a Tally decodes the primary's once.
type body struct {
	r      Response
	parsed bool
	doc    any
	isJSON bool
}

// json returns the decoded body (numbers kept exact), and false when it
// is not one complete JSON document (or was truncated).
func (b *body) json() (any, bool) {
	if !b.parsed {
		b.parsed = true
		b.doc, b.isJSON = decodeJSON(b.r)
	}
	return b.doc, b.isJSON
}

func decodeJSON(r Response) (any, bool) {
	if r.Truncated || len(bytes.TrimSpace(r.Body)) == 0 {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false // trailing data: not one JSON document
	}
	return doc, true
}

func (c *compiled) diff(a, b Response, pa, pb *body) []Difference {
	var out []Difference
	if a.Status != b.Status {
		out = append(out, Difference{FieldStatus, statusText(a), statusText(b)})
	}
	if !a.Answered() || !b.Answered() {
		return out
	}
	out = c.diffHeaders(a.Header, b.Header, out)
	if bytes.Equal(a.Body, b.Body) {
		return out
	}
	da, okA := pa.json()
	db, okB := pb.json()
	if okA && okB {
		w := walker{c: c, out: out}
		w.root(da, db)
		return w.out
	}
	return append(out, Difference{FieldBody, bodyText(a.Body), bodyText(b.Body)})
}

// statusText is a status for a Difference: the code, or why there was
// no answer.
func statusText(r Response) string {
	if r.Answered() {
		return strconv.Itoa(r.Status)
	}
	if r.Error == "" {
		return "no answer"
	}
	return short("no answer: " + r.Error)
}

// hopByHop are headers about one connection, never compared under "*".
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

func (c *compiled) diffHeaders(a, b http.Header, out []Difference) []Difference {
	names := c.headers
	if c.allHeaders {
		names = slices.Clone(c.headers)
		for _, h := range []http.Header{a, b} {
			for k := range h {
				if k = http.CanonicalHeaderKey(k); !c.ignoreHeaders[k] && !hopByHop[k] && !slices.Contains(names, k) {
					names = append(names, k)
				}
			}
		}
		slices.Sort(names)
	}
	for _, name := range names {
		va, vb := headerValue(a, name), headerValue(b, name)
		if va != vb {
			out = append(out, Difference{HeaderPrefix + name, short(va), short(vb)})
		}
	}
	return out
}

// headerValue joins a header's values, or is "(absent)".
func headerValue(h http.Header, name string) string {
	vs := h.Values(name)
	if len(vs) == 0 {
		return absent
	}
	return strings.Join(vs, ", ")
}

// bodyText is a body for a Difference: its start when it is text, its
// size when it is binary.
func bodyText(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	p := b[:min(len(b), maxValue+utf8.UTFMax)]
	if !isText(p, len(p) < len(b)) {
		return "(" + strconv.Itoa(len(b)) + " bytes, binary)"
	}
	return short(string(p))
}

// isText reports whether p is UTF-8; when p was cut from a longer body,
// a rune cut in two at its end is allowed.
func isText(p []byte, cut bool) bool {
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 {
			return cut && len(p)-i < utf8.UTFMax
		}
		i += n
	}
	return true
}

// short truncates s to about maxValue bytes on a rune boundary.
func short(s string) string {
	if len(s) <= maxValue {
		return s
	}
	cut := maxValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
