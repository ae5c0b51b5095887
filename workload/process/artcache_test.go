package process

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// original is the stored artifact of the cache tests.
const original = "#!/bin/sh\necho original\n"

// storeObject writes original as a stored object in l's data folder and
// returns its path and digest.
func storeObject(t *testing.T, l rootLayout) (string, string) {
	t.Helper()
	src := filepath.Join(l.data, "store-object")
	if err := os.WriteFile(src, []byte(original), 0o555); err != nil {
		t.Fatal(err)
	}
	digest, err := artifact.FileDigest(src)
	if err != nil {
		t.Fatal(err)
	}
	return src, digest
}

// runArtifact runs script (after ./app.sh) as instance id of service with
// the artifact, waits for it to end and returns its log lines.
func runArtifact(t *testing.T, d *Driver, id, service, user, src, digest, script string) []string {
	t.Helper()
	s := workload.InstanceSpec{
		ID: id, Service: service, User: user,
		Command:  []string{"sh", "-c", "./app.sh; " + script},
		Env:      map[string]string{"PATH": "/usr/bin:/bin"},
		Artifact: src, ArtifactPath: "app.sh", ArtifactDigest: digest,
	}
	startSpec(t, d, s)
	workloadtest.WaitEnded(t, d, id)
	lines, _ := d.Logs(context.Background(), id, 100)
	return lines
}

// inode is path's inode number.
func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestCachedArtifactIsSharedAndUnwritable(t *testing.T) {
	l := newRootLayout(t)
	src, digest := storeObject(t, l)
	cache := filepath.Join(l.d.dir, cacheDir, strings.ReplaceAll(digest, ":", "-"))
	attack := "echo 'echo changed' >> ./app.sh && echo appended; chmod u+w app.sh && echo chmodded; " +
		"ln -f ./app.sh ../artifact/x && echo relinked; ./app.sh"
	for _, id := range []string{"a-1", "b-1"} {
		lines := runArtifact(t, l.d, id, strings.TrimSuffix(id, "-1"), "", src, digest, attack)
		if n := strings.Count(strings.Join(lines, "\n"), "original"); n != 2 {
			t.Errorf("%s: artifact ran %d times unchanged, want 2: %q", id, n, lines)
		}
		for _, bad := range []string{"appended", "chmodded", "relinked", "changed"} {
			if slices.Contains(lines, bad) {
				t.Errorf("%s: instance could: %s (%q)", id, bad, lines)
			}
		}
		if got, want := inode(t, filepath.Join(l.d.dir, id, artifactDir, "app.sh")), inode(t, cache); got != want {
			t.Errorf("%s: artifact is inode %d, want the cache's %d (a link, not a copy)", id, got, want)
		}
	}
	if data, _ := os.ReadFile(cache); string(data) != original {
		t.Errorf("cached artifact changed: %q", data)
	}
	fi, err := os.Stat(filepath.Join(l.d.dir, cacheDir))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory: %v, %v; want mode 0700", fi, err)
	}
}

func TestRootInstanceGetsACopy(t *testing.T) {
	l := newRootLayout(t)
	src, digest := storeObject(t, l)
	runArtifact(t, l.d, "user-1", "user", "", src, digest, "true")
	lines := runArtifact(t, l.d, "root-1", "root", "root", src, digest, "echo tampered >> ./app.sh")
	if !slices.Contains(lines, "original") {
		t.Fatalf("root instance printed %q", lines)
	}
	cache := filepath.Join(l.d.dir, cacheDir, strings.ReplaceAll(digest, ":", "-"))
	if inode(t, filepath.Join(l.d.dir, "root-1", artifactDir, "app.sh")) == inode(t, cache) {
		t.Error("root instance got a link to the cache, want a copy")
	}
	if data, _ := os.ReadFile(cache); string(data) != original {
		t.Errorf("root instance changed the cache: %q", data)
	}
}

func TestChangedCacheFileIsRefilled(t *testing.T) {
	for _, restart := range []bool{false, true} {
		l := newRootLayout(t)
		src, digest := storeObject(t, l)
		cache := filepath.Join(l.d.dir, cacheDir, strings.ReplaceAll(digest, ":", "-"))
		runArtifact(t, l.d, "fill-1", "fill", "", src, digest, "true")
		fi, err := os.Stat(cache)
		if err != nil {
			t.Fatal(err)
		}
		// Same size, same mode; a restarted server sees even the mtime
		// put back, so only the content tells.
		tampered := strings.Replace(original, "original", "tampered", 1)
		if err := os.Chmod(cache, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cache, []byte(tampered), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(cache, cachedMode); err != nil {
			t.Fatal(err)
		}
		d := l.d
		if restart {
			if err := os.Chtimes(cache, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			d = New(l.d.dir, Options{Logger: quiet})
		}
		lines := runArtifact(t, d, "next-1", "next", "", src, digest, "true")
		if !slices.Contains(lines, "original") || slices.Contains(lines, "tampered") {
			t.Errorf("restart=%v: instance ran %q, want the stored artifact", restart, lines)
		}
		if data, _ := os.ReadFile(cache); string(data) != original {
			t.Errorf("restart=%v: cache not refilled: %q", restart, data)
		}
	}
}
