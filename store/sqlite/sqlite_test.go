package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
	"github.com/slipway-dev/slipway/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "slipway.db"))
	})
}

// open opens the store at path and closes it when the test ends.
func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
