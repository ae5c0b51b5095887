package httpapi

import (
	"strings"
	"testing"
)

// TestTailBufferKeepsTheLastBytes: an exec's answer that is not streamed
// keeps the last max bytes of the output, whatever the writes' sizes.
func TestTailBufferKeepsTheLastBytes(t *testing.T) {
	for _, c := range []struct {
		name   string
		writes []string
		want   string
		cut    bool
	}{
		{"under the bound", []string{"ab", "cd"}, "abcd", false},
		{"exactly the bound", []string{"abcdef"}, "abcdef", false},
		{"one large write", []string{"0123456789"}, "456789", true},
		{"many small writes", strings.Split("0123456789", ""), "456789", true},
	} {
		b := &tailBuffer{max: 6}
		for _, w := range c.writes {
			if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
				t.Fatalf("%s: Write = %d, %v", c.name, n, err)
			}
		}
		if string(b.b) != c.want || b.cut != c.cut {
			t.Errorf("%s: kept %q (cut %v), want %q (cut %v)", c.name, b.b, b.cut, c.want, c.cut)
		}
	}
}
