package cli_test

import (
	"os"
	"path/filepath"
	"testing"
)

// shopSpec has two services; order runs an artifact.
const shopSpec = `app: shop
services:
  invoice:
    run: ["python3", "-m", "http.server", "${PORT}"]
    instances: 2
  order:
    # the artifact gets its digest at apply time
    run: ["./bin/order", "--port", "${PORT}"]
    artifact:
      path: bin/order
      version: v1.0.0
`

// badSpec has two problems, on lines 4 and 7.
const badSpec = `app: shop
services:
  invoice:
    instances: -1
    run: ["x"]
  order:
    run: 7
`

// writeSpec writes a spec and the order artifact into a new directory and
// returns the spec's path.
func writeSpec(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "order"), []byte("#!/bin/sh\necho order\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "slipway.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
