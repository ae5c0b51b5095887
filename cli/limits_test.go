package cli_test

import (
	"strings"
	"testing"
)

// manySpec asks for more instances than a server allows by default.
var manySpec = strings.Replace(shopSpec, "instances: 2", "instances: 1000000", 1)

// TestValidateLimitOffline: with no server to ask, validate checks the
// per-service instance limit with the server's default.
func TestValidateLimitOffline(t *testing.T) {
	path := writeSpec(t, manySpec)
	res := run(t, "http://127.0.0.1:1", "validate", "-f", path)
	if res.code != 1 || !strings.Contains(res.stderr, path+":5: services.invoice.instances: 1000000 is more than the 100 instances") ||
		!strings.Contains(res.stderr, "--max-instances-per-service") {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

// TestValidateLimitIsTheServers: a reachable server decides the limit
// (its operator may have raised it), so the spec is sent to it.
func TestValidateLimitIsTheServers(t *testing.T) {
	f, url := newFake(t)
	res := run(t, url, "validate", "-f", writeSpec(t, manySpec))
	if res.code != 0 || len(f.applied) != 1 {
		t.Fatalf("exit %d, stderr %q; server asked %d times, want once", res.code, res.stderr, len(f.applied))
	}
}
