package accesslog

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// traceparent returns req's valid W3C traceparent, or a new one (a new
// trace id and parent id, sampled flag off) set on req's headers; and
// its trace id.
func traceparent(req *http.Request) string {
	if tp := req.Header.Get("Traceparent"); validTraceparent(tp) {
		return tp[3:35]
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tp := make([]byte, 0, 55)
	tp = append(tp, "00-"...)
	tp = hex.AppendEncode(tp, b[:16])
	tp = append(tp, '-')
	tp = hex.AppendEncode(tp, b[16:])
	tp = append(tp, "-00"...)
	req.Header.Set("Traceparent", string(tp))
	req.Header.Del("Tracestate") // it belonged to the trace replaced
	return string(tp[3:35])
}

// validTraceparent reports whether tp is a version-00 traceparent
// (https://www.w3.org/TR/trace-context/#traceparent-header): lower-case
// hex fields of 2, 32, 16 and 2 digits, trace and parent ids not all
// zero. A later version's header is accepted by its first four fields.
func validTraceparent(tp string) bool {
	if len(tp) < 55 || (len(tp) > 55 && (tp[0:2] == "00" || tp[55] != '-')) {
		return false
	}
	if tp[2] != '-' || tp[35] != '-' || tp[52] != '-' || tp[0:2] == "ff" {
		return false
	}
	return lowerHex(tp[0:2]) && lowerHex(tp[3:35]) && lowerHex(tp[36:52]) && lowerHex(tp[53:55]) &&
		tp[3:35] != "00000000000000000000000000000000" && tp[36:52] != "0000000000000000"
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
