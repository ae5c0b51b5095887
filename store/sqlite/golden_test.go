package sqlite

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json with the stored format of today")

// TestGoldenFormats checks the stored JSON of a fully populated record of
// each kind against testdata/golden/KIND.json (indented there, for
// reading; compact in the database). A difference means databases
// written before the change hold documents this code may misread.
func TestGoldenFormats(t *testing.T) {
	for _, k := range kinds() {
		got, err := k.stored()
		if err != nil {
			t.Fatalf("%s: %v", k.kind, err)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, got, "", "  "); err != nil {
			t.Fatalf("%s: %v", k.kind, err)
		}
		pretty.WriteByte('\n')
		path := filepath.Join("testdata", "golden", strings.ReplaceAll(k.kind, " ", "_")+".json")
		if *update {
			if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("no golden file %s for %s: run go test ./store/sqlite -run TestGoldenFormats -update", path, k.kind)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pretty.Bytes(), want) {
			t.Errorf("the stored format of %s changed: add a migration (store/sqlite/schema.go, forward-only) "+
				"or a read-side rule for old documents, and a test on old data, then run with -update\n"+
				"--- %s\n%s\n--- now\n%s", k.kind, path, want, pretty.Bytes())
		}
	}
}
