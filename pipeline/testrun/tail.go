package testrun

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// tail is an io.Writer that keeps the last max bytes written to it and
// counts the rest, so that a command printing gigabytes costs max bytes
// of memory. It is not safe for concurrent use: Run has one goroutine
// write to it and reads it only after that goroutine has ended.
type tail struct {
	max   int
	buf   []byte // grows to max; then a ring whose oldest byte is at next
	next  int
	total int64 // bytes written
}

// newTail returns a tail that keeps size (> 0) bytes.
func newTail(size int) *tail {
	return &tail{max: size}
}

// Write keeps the end of p. It never fails.
func (t *tail) Write(p []byte) (int, error) {
	n := len(p)
	t.total += int64(n)
	if len(p) > t.max {
		p = p[len(p)-t.max:]
	}
	if room := t.max - len(t.buf); room > 0 {
		k := min(room, len(p))
		t.buf = append(t.buf, p[:k]...)
		p = p[k:]
	}
	for len(p) > 0 {
		k := copy(t.buf[t.next:], p)
		p = p[k:]
		t.next = (t.next + k) % t.max
	}
	return n, nil
}

// kept returns the bytes kept, oldest first.
func (t *tail) kept() []byte {
	out := make([]byte, 0, len(t.buf))
	out = append(out, t.buf[t.next:]...)
	return append(out, t.buf[:t.next]...)
}

// String is the kept output, led by a "[... N bytes cut]" line when some
// was cut.
func (t *tail) String() string {
	kept := t.kept()
	cut := t.total - int64(len(kept))
	if cut == 0 {
		return string(kept)
	}
	kept = trimPartial(kept)
	cut = t.total - int64(len(kept))
	return fmt.Sprintf("[... %d bytes cut]\n%s", cut, kept)
}

// trimPartial drops the partial line that a cut leaves at the start of
// b: through the first newline when that lies in the first quarter of b
// (so a long last line is not lost for a tidy start), else only the
// bytes of a character cut in two.
func trimPartial(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 && i < len(b)/4 {
		return b[i+1:]
	}
	for i := 0; i < len(b) && i < utf8.UTFMax; i++ {
		if utf8.RuneStart(b[i]) {
			return b[i:]
		}
	}
	return b
}
