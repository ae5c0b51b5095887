package front

import "testing"

func TestAmbiguousFraming(t *testing.T) {
	cases := []struct {
		head string
		want bool
	}{
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n", false},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", true},
		{"POST / HTTP/1.1\r\nHost: x\r\nTRANSFER-ENCODING: chunked\r\ncontent-length: 1\r\n\r\n", true},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", true},
		{"POST / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\nTransfer-Encoding: chunked\r\n\r\n", false}, // a folded X-A is net/http's to judge
		{"POST / HTTP/1.1\nHost: x\nContent-Length: 1\nTransfer-Encoding: chunked\n\n", true},
		{"POST / HTTP/1.1\r\nHost: x\r\nX-Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", false},
	}
	for _, tc := range cases {
		if end := headEnd([]byte(tc.head)); end != len(tc.head) {
			t.Errorf("headEnd(%q) = %d, want %d", tc.head, end, len(tc.head))
		}
		if got := ambiguousFraming([]byte(tc.head)); got != tc.want {
			t.Errorf("ambiguousFraming(%q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}
