package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

var epoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// openHub opens a real SQLite store in dir.
func openHub(t *testing.T, dir string) store.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(dir, "slipway.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// legacyDir is a data folder holding testdata/environments.json, the
// registry as servers before the store kept it wrote it.
func legacyDir(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/environments.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, legacyRegistry), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestImportRegistry(t *testing.T) {
	dir := legacyDir(t)
	hub := openHub(t, dir)
	ctx := context.Background()
	if err := importRegistry(ctx, hub, dir, epoch); err != nil {
		t.Fatal(err)
	}
	got, err := listEnvironments(ctx, hub)
	if err != nil {
		t.Fatal(err)
	}
	down := &store.Teardown{By: legacyRegistry, RequestedAt: epoch}
	want := []store.Environment{
		{Name: "default", Down: down, Version: 1, CreatedAt: epoch},
		{Name: "prod", Router: "127.0.0.1:7482", Down: down, Version: 1, CreatedAt: epoch},
		{Name: "staging", Router: "127.0.0.1:7481", Version: 1, CreatedAt: epoch},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("imported:\n got %+v\nwant %+v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyRegistry)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("environments.json after the import: %v, want it renamed", err)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyRegistry+importedSuffix)); err != nil {
		t.Errorf("environments.json.imported: %v", err)
	}
	// Opening the folder again imports nothing: there is no file.
	if err := importRegistry(ctx, hub, dir, epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := listEnvironments(ctx, hub); !reflect.DeepEqual(again, want) {
		t.Errorf("after a second start:\n got %+v\nwant %+v", again, want)
	}
}

// TestImportRegistryKeepsRows is a crash between the import's commit and
// the file's rename: the next start imports nothing (the registry has
// rows, maybe changed since) and renames the file.
func TestImportRegistryKeepsRows(t *testing.T) {
	dir := legacyDir(t)
	hub := openHub(t, dir)
	ctx := context.Background()
	if err := ensureDefault(ctx, hub, epoch); err != nil {
		t.Fatal(err)
	}
	if err := importRegistry(ctx, hub, dir, epoch); err != nil {
		t.Fatal(err)
	}
	got, err := listEnvironments(ctx, hub)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Environment{{Name: "default", Version: 1, CreatedAt: epoch}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("registry:\n got %+v\nwant %+v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyRegistry+importedSuffix)); err != nil {
		t.Errorf("environments.json.imported: %v", err)
	}
}

func TestImportRegistryRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, legacyRegistry), []byte(`{"name":`), 0o644); err != nil {
		t.Fatal(err)
	}
	hub := openHub(t, dir)
	if err := importRegistry(context.Background(), hub, dir, epoch); err == nil {
		t.Fatal("a torn environments.json was imported")
	}
	if _, err := os.Stat(filepath.Join(dir, legacyRegistry)); err != nil {
		t.Errorf("environments.json after a failed import: %v, want it left", err)
	}
}

// TestImportRegistryRefusesBadNames: an environments.json naming an
// environment ../../etc (whose folder would be outside the data folder)
// is refused with the entry named, nothing is imported, and the file is
// left for a person to fix.
func TestImportRegistryRefusesBadNames(t *testing.T) {
	dir := t.TempDir()
	data := `[{"name":"dev","router":"127.0.0.1:7481"},{"name":"../../etc","router":"127.0.0.1:7482"}]`
	if err := os.WriteFile(filepath.Join(dir, legacyRegistry), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	hub := openHub(t, dir)
	err := importRegistry(context.Background(), hub, dir, epoch)
	if err == nil || !strings.Contains(err.Error(), `"../../etc"`) {
		t.Fatalf("import = %v; want a refusal naming ../../etc", err)
	}
	if got, _ := listEnvironments(context.Background(), hub); len(got) != 0 {
		t.Errorf("registry after the refusal: %+v; want nothing", got)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyRegistry)); err != nil {
		t.Errorf("environments.json after a refused import: %v, want it left", err)
	}
}

// TestEnvDirRefusesBadNames: whatever a registry row says, an
// environment's folder is inside the data folder.
func TestEnvDirRefusesBadNames(t *testing.T) {
	data := t.TempDir()
	h := &hosted{s: &Server{cfg: Config{DataDir: data}}}
	for _, name := range []string{"../../etc", "..", "a/b", ""} {
		if dir, err := h.envDir(name); err == nil {
			t.Errorf("envDir(%q) = %s; want an error", name, dir)
		}
	}
	if dir, err := h.envDir("dev"); err != nil || dir != filepath.Join(data, "envs", "dev") {
		t.Errorf("envDir(dev) = %s, %v", dir, err)
	}
}
