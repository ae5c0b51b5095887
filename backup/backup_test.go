package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

// source is a data folder with a default environment holding one event,
// and an artifact.
func source(t *testing.T) (dir string, db *sqlite.Store) {
	t.Helper()
	dir = t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "slipway.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Time: time.Now(), Type: store.EventFlagsApplied, Message: "before the backup"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "artifacts", "sha256"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "artifacts", "sha256", "abc"), []byte("artifact"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, db
}

// take backs up dir's default environment into a tar.
func take(t *testing.T, dir string, db *sqlite.Store) []byte {
	t.Helper()
	snap, err := Take(context.Background(), dir, t.TempDir(), []Source{{Database: Database{Env: "default", Path: "slipway.db"}, Store: db}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var buf bytes.Buffer
	if err := snap.Stream(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	dir, db := source(t)
	tarball := take(t, dir, db)
	dst := filepath.Join(t.TempDir(), "restored")
	rep, err := Restore(context.Background(), bytes.NewReader(tarball), dst, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 3 || rep.Manifest.Source != dir {
		t.Errorf("report %+v; want 3 files (manifest, database, artifact) from %s", rep, dir)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "artifacts", "sha256", "abc")); err != nil || string(b) != "artifact" {
		t.Errorf("restored artifact: %q %v", b, err)
	}
	restored, err := sqlite.Open(filepath.Join(dst, "slipway.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var evs []store.Event
	err = restored.View(context.Background(), func(tx store.Tx) error {
		evs, err = tx.ListEvents(0, "", 0)
		return err
	})
	if err != nil || len(evs) != 1 || evs[0].Message != "before the backup" {
		t.Errorf("restored events %+v, %v; want the one from before the backup", evs, err)
	}
}

func TestRestoreRefusesANonEmptyFolder(t *testing.T) {
	dir, db := source(t)
	dst := t.TempDir()
	if err := os.WriteFile(filepath.Join(dst, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Restore(context.Background(), bytes.NewReader(take(t, dir, db)), dst, time.Now())
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a non-empty folder: %v; want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "keep")); err != nil {
		t.Errorf("the folder's file is gone: %v", err)
	}
}

func TestRestoreRefusesBadBackups(t *testing.T) {
	dir, db := source(t)
	good := take(t, dir, db)
	manifest, _ := json.Marshal(Manifest{Version: manifestVersion, Databases: []Database{{Env: "default", Path: "slipway.db"}}})
	for name, tarball := range map[string][]byte{
		"truncated":        good[:len(good)/2],
		"empty":            nil,
		"no manifest":      tarOf(t, "slipway.db", []byte("x")),
		"escapes":          tarOf(t, manifestName, manifest, "../outside", []byte("x")),
		"corrupt database": tarOf(t, manifestName, manifest, "slipway.db", bytes.Repeat([]byte("not sqlite"), 500)),
	} {
		t.Run(name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "restored")
			if _, err := Restore(context.Background(), bytes.NewReader(tarball), dst, time.Now()); err == nil {
				t.Fatal("restore succeeded; want an error")
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("a failed restore left %s behind (%v)", dst, err)
			}
		})
	}
}

// tarOf is a tar of name, content pairs.
func tarOf(t *testing.T, kv ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(kv); i += 2 {
		b := kv[i+1].([]byte)
		if err := tw.WriteHeader(&tar.Header{Name: kv[i].(string), Size: int64(len(b)), Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	return buf.Bytes()
}

// TestRestoreAdoptsAStray: a process running from the source folder that
// no record names is recorded for adoption, so that the restored
// server's sweep stops it.
func TestRestoreAdoptsAStray(t *testing.T) {
	dir, db := source(t)
	work := filepath.Join(dir, "instances", "shop-1-abc", "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	cmd.Dir = work
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	dst := filepath.Join(t.TempDir(), "restored")
	rep, err := Restore(context.Background(), bytes.NewReader(take(t, dir, db)), dst, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Strays["default"] != 1 {
		t.Errorf("strays %v; want 1 in default", rep.Strays)
	}
	b, err := os.ReadFile(filepath.Join(dst, "instances", "shop-1-abc", "instance.json"))
	if err != nil || !strings.Contains(string(b), `"phase": "running"`) {
		t.Errorf("adoption record: %s %v", b, err)
	}
}
