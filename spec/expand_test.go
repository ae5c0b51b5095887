package spec

import (
	"slices"
	"testing"
)

func TestExpand(t *testing.T) {
	env := map[string]string{"PORT": "8080", "A": "x"}
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"${PORT}", "8080"},
		{"--port=${PORT}", "--port=8080"},
		{"${A}${A}", "xx"},
		{"${MISSING}", ""},
		{"$$", "$"},
		{"$${PORT}", "${PORT}"},
		{"$PORT", "$PORT"},
		{"$1", "$1"},
		{"cost$", "cost$"},
		{"${PORT", "${PORT"},
		{"a${}b", "ab"},
	}
	for _, c := range cases {
		if got := Expand([]string{c.in}, env); got[0] != c.want {
			t.Errorf("Expand(%q) = %q, want %q", c.in, got[0], c.want)
		}
	}
}

func TestReferences(t *testing.T) {
	names, ok := References("${A}-$${B}-$C-${D}")
	if !ok || !slices.Equal(names, []string{"A", "D"}) {
		t.Errorf("References = %v, %v", names, ok)
	}
	if _, ok := References("x${A"); ok {
		t.Error("unterminated ${ reported ok")
	}
}
