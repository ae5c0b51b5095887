package front

// HandedOff reports whether the front hands off the request at the start
// of part to net/http (for server_test's expected transcripts).
func HandedOff(part string) bool {
	head, v := parseHead([]byte(part), newRequest())
	return v != headServe || head.size > bufSize
}

// ServedByFront reports whether w is the front's own writer: the request
// took the front's loop, not net/http's.
func ServedByFront(w any) bool {
	_, ok := w.(*responseWriter)
	return ok
}

// Parked is how many of s's connections wait without buffers.
func Parked(s *Server) int64 { return s.parked.Load() }

// WaitFor is waitFor, for the package's external tests.
var WaitFor = waitFor
