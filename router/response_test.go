package router

import (
	"bufio"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// quickCases are answers quickResponse must read (true), or leave to
// net/http (false).
var quickCases = []struct {
	raw   string
	quick bool
}{
	{"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\nhello", true},
	{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
	{"HTTP/1.1 404\r\ncontent-length: 3\r\nx-a:  1 \r\nX-A: 2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nnop", true},
	{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nRetry-After: 5\r\n\r\nno", true},
	{"HTTP/1.1 200 OK\r\nContent-Length: 00012\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\nhello world!", true},
	{"HTTP/1.1 200 OK\r\nX-Utf8: caf\xc3\xa9\r\nContent-Length: 1\r\n\r\nx", true},
	{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", true}, // a cut body: io.ErrUnexpectedEOF
	{"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nSet-Cookie: theirs=1\r\nContent-Length: 1\r\n\r\nx", true},
	// Left to net/http:
	{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false},
	{"HTTP/1.1 200 OK\r\n\r\nclose-delimited", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nPragma: no-cache\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTrailer: X\r\n\r\nhello", false},
	{"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false},
	{"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", false},
	{"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false},
	{"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", false},
	{"HTTP/1.1  200 OK\r\nContent-Length: 5\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Fold: a\r\n b\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nBad Name: a\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Ctl: a\x01b\r\n\r\nhello", false},
	{"HTTP/1.1 200 OK\r\nContent-Length: 5", false}, // headers not all in
}

// readBoth reads raw with quickResponse (when it takes it) and with
// http.ReadResponse, and returns what each saw, body and error included.
func readBoth(t testing.TB, raw, method string) (quick, std *http.Response, qbody, sbody string, qerr, serr error) {
	req := &http.Request{Method: method}
	br := bufio.NewReaderSize(strings.NewReader(raw), connBufSize)
	if _, err := br.Peek(1); err != nil {
		return nil, nil, "", "", nil, nil
	}
	quick = quickResponse(br, req, nil)
	std, serr = http.ReadResponse(bufio.NewReaderSize(strings.NewReader(raw), connBufSize), req)
	if quick != nil {
		b, err := io.ReadAll(quick.Body)
		qbody, qerr = string(b), err
	}
	if serr == nil {
		b, err := io.ReadAll(std.Body)
		sbody, serr = string(b), err
	}
	return quick, std, qbody, sbody, qerr, serr
}

func TestQuickResponseReadsAsNetHTTP(t *testing.T) {
	for _, tc := range quickCases {
		quick, std, qbody, sbody, qerr, serr := readBoth(t, tc.raw, "GET")
		if (quick != nil) != tc.quick {
			t.Errorf("%q: quick %v, want %v", tc.raw, quick != nil, tc.quick)
			continue
		}
		if quick != nil {
			sameResponse(t, tc.raw, quick, std, qbody, sbody, qerr, serr)
			intoClientHeader(t, tc.raw, std)
		}
	}
	if resp, _, _, _, _, _ := readBoth(t, quickCases[0].raw, "HEAD"); resp != nil {
		t.Errorf("an answer to HEAD was read as one with a body")
	}
}

// sameResponse fails unless quickResponse's answer is net/http's.
func sameResponse(t testing.TB, raw string, quick, std *http.Response, qbody, sbody string, qerr, serr error) {
	t.Helper()
	if std == nil {
		t.Fatalf("%q: quickResponse read an answer net/http refuses (%v)", raw, serr)
	}
	type view struct {
		Status, Proto        string
		StatusCode, Maj, Min int
		Header, Trailer      http.Header
		ContentLength        int64
		Close, NoBody        bool
		TransferEncoding     []string
		Body                 string
		BodyErr              string
	}
	see := func(r *http.Response, body string, err error) view {
		v := view{r.Status, r.Proto, r.StatusCode, r.ProtoMajor, r.ProtoMinor, r.Header, r.Trailer,
			r.ContentLength, r.Close, r.Body == http.NoBody, r.TransferEncoding, body, ""}
		if err != nil {
			v.BodyErr = err.Error()
		}
		return v
	}
	if q, s := see(quick, qbody, qerr), see(std, sbody, serr); !reflect.DeepEqual(q, s) {
		t.Fatalf("%q:\nquick    %+v\nnet/http %+v", raw, q, s)
	}
}

// FuzzQuickResponse: whatever quickResponse takes, net/http reads the
// same way.
func FuzzQuickResponse(f *testing.F) {
	for _, tc := range quickCases {
		f.Add(tc.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		quick, std, qbody, sbody, qerr, serr := readBoth(t, raw, "GET")
		if quick != nil {
			sameResponse(t, raw, quick, std, qbody, sbody, qerr, serr)
			intoClientHeader(t, raw, std)
		}
	})
}

// intoClientHeader parses raw into a client's header map that holds a
// cookie of the router's, and wants net/http's header there, less the
// hop-by-hop fields, after that cookie.
func intoClientHeader(t testing.TB, raw string, std *http.Response) {
	t.Helper()
	client := http.Header{"Set-Cookie": {"ours=1"}}
	br := bufio.NewReaderSize(strings.NewReader(raw), connBufSize)
	_, _ = br.Peek(1)
	resp := quickResponse(br, &http.Request{Method: "GET"}, client)
	if resp == nil || !sameHeader(resp.Header, client) {
		t.Fatalf("%q: not parsed into the client's header", raw)
	}
	want := http.Header{"Set-Cookie": {"ours=1"}}
	for k, vv := range std.Header {
		if !isHopByHop(k) {
			want[k] = append(want[k], vv...)
		}
	}
	if !reflect.DeepEqual(client, want) {
		t.Fatalf("%q: client header\n%v\nwant\n%v", raw, client, want)
	}
}
