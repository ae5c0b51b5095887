package testrun

import (
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{"empty", 8, nil, ""},
		{"fits", 8, []string{"ab", "cd"}, "abcd"},
		{"exactly full", 4, []string{"ab", "cd"}, "abcd"},
		{"wraps", 4, []string{"abc", "def"}, "[... 2 bytes cut]\ncdef"},
		{"wraps twice", 3, []string{"ab", "cd", "ef", "gh"}, "[... 5 bytes cut]\nfgh"},
		{"one write larger than max", 3, []string{"abcdefg"}, "[... 4 bytes cut]\nefg"},
		{"large write after a wrap", 4, []string{"abcde", "123456"}, "[... 7 bytes cut]\n3456"},
		{"cut on a line boundary", 12, []string{"line1\nline2\nline3\n"},
			"[... 6 bytes cut]\nline2\nline3\n"},
		{"a partial line in the first quarter goes", 12, []string{"xxy\nabcdefghij"},
			"[... 4 bytes cut]\nabcdefghij"}, // kept "y\nabcdefghij"
		{"a newline later than the first quarter stays", 8, []string{"xxxx\nabcdef\nlong"},
			"[... 8 bytes cut]\ndef\nlong"},
		{"a character cut in two goes", 4, []string{"aé€"},
			"[... 3 bytes cut]\n€"}, // kept "\xa9€"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTail(tt.max)
			for _, w := range tt.writes {
				if n, err := tl.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := tl.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if len(tl.buf) > tt.max {
				t.Errorf("holds %d bytes, max %d", len(tl.buf), tt.max)
			}
		})
	}
}

func TestTailKeepsTotal(t *testing.T) {
	tl := newTail(10)
	chunk := []byte(strings.Repeat("x", 1000))
	for range 1000 {
		_, _ = tl.Write(chunk)
	}
	if got, want := tl.String(), "[... 999990 bytes cut]\nxxxxxxxxxx"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
