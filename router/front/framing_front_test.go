package front_test

import (
	"strings"
	"testing"
)

// TestFrontRefusesAmbiguousFraming: a request with both Content-Length
// and Transfer-Encoding, or a folded Transfer-Encoding, gets a 400 and
// its connection closes, first on a connection or after fast-path
// requests, where net/http alone would serve it (and the smuggled
// request behind it). A request net/http serves on a handed-off
// connection closes it: the next head comes to the front.
func TestFrontRefusesAmbiguousFraming(t *testing.T) {
	_, _, fronted := frontServers(t)
	get := func(path string, fields ...string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: app.localhost\r\n" + strings.Join(fields, "") + "\r\n"
	}
	post := func(fields string, body string) string {
		return "POST /p HTTP/1.1\r\nHost: app.localhost\r\n" + fields + "\r\n" + body
	}
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name  string
		parts []string
	}{
		{"cl and te first", []string{post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"+smuggled)}},
		{"te and cl after gets", []string{get("/a"), post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", "0\r\n\r\n"+smuggled)}},
		{"cl and te on a get", []string{get("/a"), get("/b", "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n" + smuggled}},
		{"folded te", []string{post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"+smuggled)}},
		{"folded te, tab", []string{post("Transfer-Encoding: gzip,\r\n\tchunked\r\n", "0\r\n\r\n"+smuggled)}},
		{"lower-case names", []string{post("content-length: 6\r\ntransfer-encoding: chunked\r\n", "0\r\n\r\n"+smuggled)}},
		{"cl and te, bare lf", []string{"POST /p HTTP/1.1\nHost: x\nContent-Length: 6\nTransfer-Encoding: chunked\n\n0\r\n\r\n" + smuggled}},
		{"cl and te past the buffer", []string{post("X-Big: "+strings.Repeat("b", 6000)+"\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"+smuggled)}},
		{"after a handed-off post", []string{post("Content-Length: 5\r\n", "hello"), post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"+smuggled)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := transcript(t, fronted, tc.parts)
			if strings.Contains(got, "/smuggled") || !strings.HasSuffix(got, "closed") {
				t.Fatalf("served the smuggled request or kept the connection:\n%s", got)
			}
			last := strings.LastIndex(got, "HTTP/1.1 ")
			if last < 0 || !strings.HasPrefix(got[last:], "HTTP/1.1 400 ") && tc.name != "after a handed-off post" {
				t.Fatalf("want a 400 last:\n%s", got)
			}
		})
	}
}
