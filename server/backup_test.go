package server

import "testing"

// TestDBPath: a backup names each database where the server keeps it,
// relative to the data folder, with slashes; a bad name is refused.
func TestDBPath(t *testing.T) {
	h := &hosted{s: &Server{cfg: Config{DataDir: t.TempDir()}}}
	for env, want := range map[string]string{"default": "slipway.db", "dev": "envs/dev/slipway.db"} {
		if got, err := h.dbPath(env); err != nil || got != want {
			t.Errorf("dbPath(%s) = %q, %v; want %q", env, got, err, want)
		}
	}
	if got, err := h.dbPath("../etc"); err == nil {
		t.Errorf("dbPath(../etc) = %q; want it refused", got)
	}
}
