package feed

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

type settings struct {
	TimeoutMs int    `json:"timeoutMs"`
	LogLevel  string `json:"logLevel"`
}

// deliver writes a config's files as the server's delivery does
// (workload/instdir.PlaceConfig, a higher layer): the values, then the
// version, each renamed over the last.
func deliver(t *testing.T, dir string, version int, data string) {
	t.Helper()
	path := filepath.Join(dir, "invoice-settings.json")
	for _, f := range []struct{ path, data string }{{path, data}, {path + ".version", strconv.Itoa(version) + "\n"}} {
		if err := os.WriteFile(f.path+".tmp", []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(f.path+".tmp", f.path); err != nil {
			t.Fatal(err)
		}
	}
}

func waitVersion[T any](t *testing.T, v *Values[T], changed <-chan struct{}, want int) {
	t.Helper()
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatalf("version %d did not arrive (serving %d)", want, v.Version())
	}
	if got := v.Version(); got != want {
		t.Fatalf("serving version %d, want %d", got, want)
	}
}

// TestValuesFollowTheDeliveredFile: the file $SLIPWAY_CONFIG_<NAME>
// names, written by the delivery's own code, is read typed at start and
// again at each new version; values that do not decode keep the last
// good ones, with the reason.
func TestValuesFollowTheDeliveredFile(t *testing.T) {
	dir := t.TempDir()
	deliver(t, dir, 1, `{"logLevel":"info","timeoutMs":2000}`)
	t.Setenv(spec.ConfigEnvVar("invoice-settings"), filepath.Join(dir, "invoice-settings.json"))
	v, err := NewValues[settings](ValuesConfig{Name: "invoice-settings", Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go v.Run(ctx)
	select {
	case <-v.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	if s, n := v.Get(); n != 1 || s != (settings{TimeoutMs: 2000, LogLevel: "info"}) {
		t.Fatalf("v%d %+v", n, s)
	}
	changed := v.Changed()
	deliver(t, dir, 2, `{"logLevel":"debug","timeoutMs":3000}`)
	waitVersion(t, v, changed, 2)
	if s, _ := v.Get(); s.TimeoutMs != 3000 || s.LogLevel != "debug" {
		t.Fatalf("v2: %+v", s)
	}
	deliver(t, dir, 3, `{"timeoutMs":"soon"}`)
	deadline := time.Now().Add(10 * time.Second)
	for v.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := v.Err(); err == nil || !strings.Contains(err.Error(), "config invoice-settings v3") {
		t.Fatalf("undecodable values: %v", err)
	}
	if s, n := v.Get(); n != 2 || s.TimeoutMs != 3000 {
		t.Fatalf("after undecodable values: v%d %+v, want v2 kept", n, s)
	}
}

// TestValuesNeedASource: no file and no server is an error that names
// the variable.
func TestValuesNeedASource(t *testing.T) {
	t.Setenv("SLIPWAY_CONFIG_DIR", "")
	t.Setenv(spec.ConfigEnvVar("x"), "")
	if _, err := NewValues[map[string]any](ValuesConfig{Name: "x"}); err == nil || !strings.Contains(err.Error(), "SLIPWAY_CONFIG_X") {
		t.Fatalf("%v", err)
	}
	if _, err := NewValues[map[string]any](ValuesConfig{Name: "x", URL: "127.0.0.1:7400"}); err == nil {
		t.Fatal("a URL without a scheme was taken")
	}
}
