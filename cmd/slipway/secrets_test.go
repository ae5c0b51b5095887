package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestServerFlagKeys: evaluation keys come from --flag-key-file (one a
// line) or SLIPWAY_FLAG_KEYS, which ps does not show; --flag-key still
// works, with a warning.
func TestServerFlagKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("k1\n\nk2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, env string
		args      []string
		want      []string
		warns     bool
	}{
		{"file", "", []string{"--flag-key-file", file}, []string{"k1", "k2"}, false},
		{"environment", "e1,e2", nil, []string{"e1", "e2"}, false},
		{"command line", "", []string{"--flag-key", "c1"}, []string{"c1"}, true},
		{"none", "", nil, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("SLIPWAY_FLAG_KEYS", c.env)
			cmd := newServerCmd()
			if err := cmd.ParseFlags(c.args); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.SetErr(&stderr)
			keys, err := flagKeys(cmd)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys, c.want) {
				t.Errorf("keys %q; want %q", keys, c.want)
			}
			if warned := strings.Contains(stderr.String(), "warning: --flag-key is visible"); warned != c.warns {
				t.Errorf("stderr %q; want a warning: %v", stderr.String(), c.warns)
			}
		})
	}
}
