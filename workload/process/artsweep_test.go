package process

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/internal/clock"
)

// sweepLayout is a root layout whose Driver runs on a fake clock (the
// grace is counted on it against the files' real ctime) and logs to buf.
func sweepLayout(t *testing.T) (rootLayout, *clock.Fake, *syncBuffer) {
	l := newRootLayout(t)
	clk := clock.NewFake(time.Now())
	buf := &syncBuffer{}
	l.d = New(l.d.dir, Options{Clock: clk, Logger: slog.New(slog.NewTextHandler(buf, nil))})
	return l, clk, buf
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// secondObject stores another artifact beside storeObject's.
func secondObject(t *testing.T, l rootLayout) (string, string) {
	t.Helper()
	src := filepath.Join(l.data, "store-object-2")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho second\n"), 0o555); err != nil {
		t.Fatal(err)
	}
	digest, err := artifact.FileDigest(src)
	if err != nil {
		t.Fatal(err)
	}
	return src, digest
}

func cachePath(d *Driver, digest string) string {
	return filepath.Join(d.dir, cacheDir, strings.ReplaceAll(digest, ":", "-"))
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// TestSweepRemovesOnlyUnusedArtifacts: a cached artifact stays while an
// instance (running or ended, until removed) links it, and for the grace
// after the last one went; then the sweep removes it, and a later start
// fills the cache again from the store. A fill cut short goes at once.
func TestSweepRemovesOnlyUnusedArtifacts(t *testing.T) {
	l, clk, _ := sweepLayout(t)
	ctx := context.Background()
	src1, d1 := storeObject(t, l)
	src2, d2 := secondObject(t, l)
	runArtifact(t, l.d, "a-1", "a", "", src1, d1, "true")
	runArtifact(t, l.d, "b-1", "b", "", src2, d2, "true")
	if err := l.d.Remove(ctx, "b-1"); err != nil {
		t.Fatal(err)
	}
	leftover := cachePath(l.d, d2) + "x.fill"
	if err := os.WriteFile(leftover, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.d.SweepArtifacts(ctx); err != nil {
		t.Fatal(err)
	}
	if !exists(cachePath(l.d, d1)) || !exists(cachePath(l.d, d2)) || exists(leftover) {
		t.Fatalf("within the grace: a %v b %v (want both kept), leftover fill %v (want removed)",
			exists(cachePath(l.d, d1)), exists(cachePath(l.d, d2)), exists(leftover))
	}

	clk.Advance(DefaultArtifactGrace + time.Minute)
	if err := l.d.SweepArtifacts(ctx); err != nil {
		t.Fatal(err)
	}
	if !exists(cachePath(l.d, d1)) {
		t.Error("the artifact of ended instance a-1 (not removed: it may restart) was swept")
	}
	if exists(cachePath(l.d, d2)) {
		t.Error("the artifact no instance links, past the grace, is still cached")
	}

	clk.Set(time.Now()) // the clock back beside the files' times
	if err := l.d.Remove(ctx, "a-1"); err != nil {
		t.Fatal(err)
	}
	if err := l.d.SweepArtifacts(ctx); err != nil {
		t.Fatal(err)
	}
	if !exists(cachePath(l.d, d1)) {
		t.Error("swept at once after the last instance went: the grace counts from then (ctime)")
	}
	// Observe sweeps too, once a minute, when the grace has passed.
	clk.Advance(DefaultArtifactGrace + time.Minute)
	if _, err := l.d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	if exists(cachePath(l.d, d1)) {
		t.Error("Observe did not sweep the unused artifact")
	}
	lines := runArtifact(t, l.d, "c-1", "c", "", src2, d2, "true")
	if !slices.Contains(lines, "second") || inode(t, filepath.Join(l.d.dir, "c-1", artifactDir, "app.sh")) != inode(t, cachePath(l.d, d2)) {
		t.Errorf("a start after the sweep: %q, want the artifact linked from a refilled cache", lines)
	}
}

// TestSweepNeverRemovesWhatAStartLinks: starts of one artifact, each
// removed after it ends, race a sweep that may remove any unlinked file
// at once (the clock far past the grace). Every start gets its link to
// the cache (none falls back to a copy, which a file swept between the
// lookup and the link would cause) and runs the artifact.
func TestSweepNeverRemovesWhatAStartLinks(t *testing.T) {
	l, clk, logs := sweepLayout(t)
	ctx := context.Background()
	src, digest := storeObject(t, l)
	clk.Advance(100 * DefaultArtifactGrace)
	stop := make(chan struct{})
	var swept sync.WaitGroup
	swept.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := l.d.SweepArtifacts(ctx); err != nil {
				t.Errorf("sweep: %v", err)
			}
		}
	})
	for i := range 20 {
		id := "r-" + string(rune('a'+i))
		lines := runArtifact(t, l.d, id, "r", "", src, digest, "true")
		if !slices.Contains(lines, "original") {
			t.Errorf("%s ran %q", id, lines)
		}
		if err := l.d.Remove(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	swept.Wait()
	if out := logs.String(); strings.Contains(out, "link cached artifact") {
		t.Errorf("a start fell back to a copy while the sweep ran:\n%s", out)
	}
}
