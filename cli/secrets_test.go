package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/cli"
)

// authServer answers every request with an empty list and remembers the
// Authorization header it got last.
func authServer(t *testing.T) (url string, auth func() string) {
	t.Helper()
	var mu sync.Mutex
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Get("Authorization")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() string { mu.Lock(); defer mu.Unlock(); return got }
}

// runWith runs the CLI with the given environment for the token.
func runWith(t *testing.T, server, token string, args ...string) (stderr string) {
	t.Helper()
	t.Setenv(cli.EnvServer, server)
	t.Setenv(cli.EnvToken, token)
	var out, errb bytes.Buffer
	cli.Run(context.Background(), args, &out, &errb)
	return errb.String()
}

// TestTokenSources: the token comes from --token-file or SLIPWAY_TOKEN,
// which ps does not show; --token still works, with a warning.
func TestTokenSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, env string
		args      []string
		want      string
		warns     bool
	}{
		{"file", "", []string{"env", "list", "--token-file", file}, "Bearer from-file", false},
		{"environment", "from-env", []string{"env", "list"}, "Bearer from-env", false},
		{"command line", "", []string{"env", "list", "--token", "from-flag"}, "Bearer from-flag", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url, auth := authServer(t)
			stderr := runWith(t, url, c.env, c.args...)
			if auth() != c.want {
				t.Errorf("Authorization %q; want %q (stderr %q)", auth(), c.want, stderr)
			}
			if warned := strings.Contains(stderr, "warning: --token is visible"); warned != c.warns {
				t.Errorf("stderr %q; want a warning about ps: %v", stderr, c.warns)
			}
		})
	}
}

// TestTokenFileMissing: a --token-file that cannot be read is an error
// naming it, and nothing is sent.
func TestTokenFileMissing(t *testing.T) {
	url, auth := authServer(t)
	stderr := runWith(t, url, "", "env", "list", "--token-file", "/nonexistent/token")
	if !strings.Contains(stderr, "--token-file") || auth() != "" {
		t.Errorf("stderr %q, Authorization %q", stderr, auth())
	}
}
