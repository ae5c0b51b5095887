package process

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

func TestLogCap(t *testing.T) {
	dir := t.TempDir()
	d := New(dir, Options{Logger: quiet, LogLimit: 1000})
	startSpec(t, d, workload.InstanceSpec{
		ID: "chatty",
		Command: []string{"sh", "-c",
			`i=1; while [ $i -le 200 ]; do echo "line $i"; i=$((i+1)); done; sleep 1; echo after`},
		Env: map[string]string{"PATH": "/usr/bin:/bin"},
	})
	live := filepath.Join(dir, "chatty", stdoutLog)
	waitFile(t, live, 1000)
	waitContains(t, live, "line 200\n") // rotate between the burst and "after"
	if err := d.Rotate(context.Background()); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	for statusOf(t, d, "chatty").Running {
		time.Sleep(20 * time.Millisecond)
	}
	if data, _ := os.ReadFile(live); string(data) != "after\n" {
		t.Errorf("live log after rotation = %q, want the writer to go on at its start", data)
	}
	if fi, err := os.Stat(live + ".1"); err != nil || fi.Size() > 1000 {
		t.Errorf("rotated log: %v, %v; want at most half the file", fi, err)
	}
	lines, err := d.Logs(context.Background(), "chatty", 3)
	if want := []string{"line 199", "line 200", "after"}; err != nil || !slices.Equal(lines, want) {
		t.Errorf("Logs(3) = %q, %v; want %q across the rotation", lines, err, want)
	}
}

// waitContains waits until the file at path holds text.
func waitContains(t *testing.T, path, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if data, err := os.ReadFile(path); err == nil && strings.Contains(string(data), text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %q", path, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFile waits until the file at path is larger than size.
func waitFile(t *testing.T, path string, size int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > size {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never grew past %d bytes", path, size)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTailLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	tests := []struct {
		content string
		n       int
		want    []string
	}{
		{"", 3, nil},
		{"a\nb\nc\n", 2, []string{"b", "c"}},
		{"a\nb\nc", 2, []string{"b", "c"}},
		{"a\nb\n", 5, []string{"a", "b"}},
		{"a\n", 0, nil},
	}
	for _, tt := range tests {
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := tailLines(path, tt.n); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("tailLines(%q, %d) = %q, %v; want %q", tt.content, tt.n, got, err, tt.want)
		}
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want procStat
		ok   bool
	}{
		{"42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 1000 10", procStat{'S', 42, 12345}, true},
		{"7 (a b) c)) Z 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", procStat{'Z', 9, 99}, true},
		{"7 (x) S 1 2", procStat{}, false},
		{"garbage", procStat{}, false},
	}
	for _, tt := range tests {
		got, err := parseStat([]byte(tt.line))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}
