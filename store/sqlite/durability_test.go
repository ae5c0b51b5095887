package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

var when = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestPersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slipway.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	svc := store.Service{Name: "invoice", Revision: 1, Phase: store.PhaseReady, UpdatedAt: when}
	ev := store.Event{Time: when, Type: "service.deployed", Service: "invoice", Message: "hi"}
	err = s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.PutService(svc); err != nil {
			return err
		}
		ev, err = tx.AppendEvent(ev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	svc.StoreVersion = 1
	err = s.View(t.Context(), func(tx store.Tx) error {
		got, err := tx.GetService("invoice")
		if err != nil || !reflect.DeepEqual(got, svc) {
			t.Errorf("service after reopen: %+v, %v", got, err)
		}
		evs, err := tx.ListEvents(0, "", 0)
		if err != nil || len(evs) != 1 || !reflect.DeepEqual(evs[0], ev) {
			t.Errorf("events after reopen: %+v, %v", evs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slipway.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a newer schema: got %v, want an error", err)
	}
}

// crashEnv, when set, makes TestCrashChild the child of TestKilledMidUpdate:
// it opens the database named by the variable and kills itself with
// SIGKILL in the middle of an Update.
const crashEnv = "SLIPWAY_SQLITE_CRASH_DB"

// crashEvents is how many events the killed Update writes: ~10 MB, more
// than SQLite's page cache, so pages spill into the WAL before the kill.
const crashEvents = 5000

func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestKilledMidUpdate")
	}
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Type: "committed", Message: "before the crash"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Update(ctx, func(tx store.Tx) error {
		tx.PutService(store.Service{Name: "half"})
		big := strings.Repeat("x", 2000)
		for range crashEvents {
			if _, err := tx.AppendEvent(store.Event{Type: "lost", Service: "half", Message: big}); err != nil {
				t.Fatal(err)
			}
		}
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // wait for the signal
	})
}

// TestKilledMidUpdate kills a process in the middle of a large Update and
// checks that the database it leaves holds every committed write and
// nothing of the interrupted one.
func TestKilledMidUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slipway.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: got %v, want killed by SIGKILL\n%s", err, out)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Logf("no WAL left behind: %v", err)
	}
	s := open(t, path)
	err = s.View(t.Context(), func(tx store.Tx) error {
		evs, err := tx.ListEvents(0, "", 0)
		if err != nil || len(evs) != 1 || evs[0].Type != "committed" {
			t.Errorf("events after crash: got %d (%v), want only the committed one", len(evs), err)
		}
		if _, err := tx.GetService("half"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("service of the killed Update: got %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, path)
}

func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	var res string
	if err := rawDB(t, path).QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q, %v", res, err)
	}
}

// rawDB opens path with database/sql for checks below the Store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
