package e2e

// Package flags/feed reads configs too (issue 15): a Go service follows
// a config's values over HTTP, typed, with an evaluator token, from the
// real server: the values now, and each version as it is stored and
// delivered to the instance the feed speaks for.

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags/feed"
)

func TestFeedFollowsAConfigOverHTTP(t *testing.T) {
	s := startServer(t, t.TempDir())
	configured(t, s, "1s")
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")
	key := strings.TrimSpace(s.mustCLI("token", "create", "reader", "--role", "evaluator").stdout)
	type settings struct {
		TimeoutMs int `json:"timeoutMs"`
	}
	// The feed speaks for one instance: during a delivery it gets that
	// instance's version.
	instance := s.service("web").Instances[0].ID
	v, err := feed.NewValues[settings](feed.ValuesConfig{Name: "settings", URL: s.url, Key: key, Instance: instance})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go v.Run(ctx)
	select {
	case <-v.Ready():
	case <-time.After(10 * time.Second):
		t.Fatalf("the feed did not load the config within 10s: %v", v.Err())
	}
	if got, n := v.Get(); n != 1 || got.TimeoutMs != 2000 {
		t.Fatalf("v%d %+v", n, got)
	}
	changed := v.Changed()
	s.mustCLI("config", "set", "settings", "timeoutMs=3000")
	select {
	case <-changed:
	case <-time.After(20 * time.Second):
		t.Fatalf("v2 did not reach the feed within 20s (serving v%d)", v.Version())
	}
	if got, n := v.Get(); n != 2 || got.TimeoutMs != 3000 {
		t.Fatalf("after config set: v%d %+v", n, got)
	}
	s.waitDelivered(20*time.Second, 2, 3000, "Succeeded")

	// The evaluation key every instance of the environment gets in
	// SLIPWAY_FLAG_KEY (the feed's default) reads it too.
	t.Setenv("SLIPWAY_FLAG_KEY", readFile(t, filepath.Join(s.data, "flag.key")))
	own, err := feed.NewValues[settings](feed.ValuesConfig{Name: "settings", URL: s.url})
	if err != nil {
		t.Fatal(err)
	}
	go own.Run(ctx)
	select {
	case <-own.Ready():
	case <-time.After(10 * time.Second):
		t.Fatalf("the instances' key did not read the config: %v", own.Err())
	}
	if got, n := own.Get(); n != 2 || got.TimeoutMs != 3000 {
		t.Errorf("with the instances' key: v%d %+v", n, got)
	}

	// Each instance has its own credential, which reads its configs and
	// nothing else, and is written nowhere in the server's data.
	in := s.service("web").Instances[0]
	token := environOf(t, in.PID, "SLIPWAY_CONFIG_TOKEN")
	if !strings.HasPrefix(token, "slwi_") {
		t.Fatalf("instance %s's credential: %q", in.ID, token)
	}
	mine, err := feed.NewValues[settings](feed.ValuesConfig{Name: "settings", URL: s.url, Key: token})
	if err != nil {
		t.Fatal(err)
	}
	go mine.Run(ctx)
	select {
	case <-mine.Ready():
	case <-time.After(10 * time.Second):
		t.Fatalf("the instance's credential did not read the config: %v", mine.Err())
	}
	if code, body, _ := httpDo("GET", s.url+"/v1/services", token, nil); code != http.StatusForbidden {
		t.Errorf("the instance's credential listed services: %d %s", code, body)
	}
	_ = filepath.WalkDir(s.data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), token) {
			t.Errorf("%s holds an instance's credential", path)
		}
		return nil
	})

	// A token that may not read configs is refused.
	bad, err := feed.NewValues[settings](feed.ValuesConfig{Name: "settings", URL: s.url, Key: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	bctx, bcancel := context.WithTimeout(ctx, 2*time.Second)
	defer bcancel()
	_ = bad.Run(bctx)
	if bad.Version() != 0 {
		t.Errorf("a wrong token read v%d", bad.Version())
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// environOf reads variable name of process pid's environment.
func environOf(t *testing.T, pid int, name string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range strings.Split(string(b), "\x00") {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
