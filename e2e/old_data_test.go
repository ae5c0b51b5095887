package e2e

// A server of today started over the data folder the release of
// November 2026 wrote (store/sqlite/testdata/release-2026-11): it reads
// every environment's database, starts the services again (their old
// processes are gone), serves them through the routers, and the CLI
// shows the old history, flags and events.

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// oldRelease is the old release's data folder, from this package.
const oldRelease = "../store/sqlite/testdata/release-2026-11/data"

func TestServerStartsOverTheOldReleasesData(t *testing.T) {
	data := copyOldRelease(t)
	devRouter := moveEnvironmentRouters(t, data)
	s := startServer(t, data)
	waitServing(t, s, map[string]int{"api": 2, "search": 2, "web": 2})
	checkRoutes(t, s.router, map[string]string{"api.localhost": `"version": "v2"`, "search.localhost": `"version": "v2"`})
	// Ready instances join the router's table at the next commit it sees.
	waitFor(t, 10*time.Second, "web (python3 -m http.server) through the router", func() (bool, string) {
		code, body, err := httpDo("GET", "http://"+s.router+"/", "", nil)
		return err == nil && code == http.StatusOK, fmt.Sprint(code, body, err)
	})
	waitFor(t, 60*time.Second, "dev's order serving through dev's router", func() (bool, string) {
		code, body, err := httpDo("GET", "http://"+devRouter+"/", "", nil)
		return err == nil && code == http.StatusOK && strings.Contains(body, `"version": "pipeline"`), fmt.Sprint(code, body, err)
	})
	checkOldCLI(t, s)
}

// copyOldRelease copies the old release's data folder to a temporary
// directory, keeping file modes (artifacts are read-only).
func copyOldRelease(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	t.Cleanup(func() { stopEnvironmentInstances(t, data) }) // after the server is killed
	err := filepath.WalkDir(oldRelease, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(oldRelease, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(data, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(data, rel), b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy %s: %v", oldRelease, err)
	}
	return data
}

// moveEnvironmentRouters gives each environment of data's registry a free
// router address (the old ones may be taken on this machine) and
// returns dev's.
func moveEnvironmentRouters(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(data, "environments.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var envs []map[string]any
	if err := json.Unmarshal(b, &envs); err != nil {
		t.Fatalf("environments.json: %v", err)
	}
	dev := ""
	for _, e := range envs {
		e["router"] = freeAddr(t)
		if e["name"] == "dev" {
			dev = e["router"].(string)
		}
	}
	if b, err = json.Marshal(envs); err == nil {
		err = os.WriteFile(path, b, 0o600)
	}
	if err != nil || dev == "" {
		t.Fatalf("rewrite environments.json (%s): %v", b, err)
	}
	return dev
}

// waitServing waits until each service has at least n ready instances of
// its target revision, which is stable. (web may keep blue/green's
// previous revision beside them for a while.)
func waitServing(t *testing.T, s *server, want map[string]int) {
	t.Helper()
	waitFor(t, 90*time.Second, "the old services running again", func() (bool, string) {
		svcs := s.services()
		ok := len(svcs) == len(want)
		var diag []string
		for _, svc := range svcs {
			ready := 0
			for _, in := range svc.Instances {
				if in.Ready && in.Revision == svc.Revision && in.State == "Running" {
					ready++
				}
			}
			ok = ok && ready >= want[svc.Name] && svc.Stable == svc.Revision && svc.Phase == "Ready"
			diag = append(diag, fmt.Sprintf("%s: rev %d stable %d %s ready %d", svc.Name, svc.Revision, svc.Stable, svc.Phase, ready))
		}
		return ok, strings.Join(diag, "; ")
	})
}

// checkRoutes checks that each host answers through the router with a
// body containing its expected text.
func checkRoutes(t *testing.T, router string, want map[string]string) {
	t.Helper()
	for host, text := range want {
		waitFor(t, 20*time.Second, host+" through the router", func() (bool, string) {
			code, body, err := hostGet(router, host)
			return err == nil && code == http.StatusOK && strings.Contains(body, text), fmt.Sprint(code, " ", body, err)
		})
	}
}

// hostGet is GET / on the router for host.
func hostGet(router, host string) (int, string, error) {
	req, err := http.NewRequest("GET", "http://"+router+"/", nil)
	if err != nil {
		return 0, "", err
	}
	req.Host = host
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// checkOldCLI checks that status, history, flags list, events and the
// pipeline show what the old release did.
func checkOldCLI(t *testing.T, s *server) {
	t.Helper()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"status"}, []string{"api", "search", "web", "Ready"}},
		{[]string{"history", "api"}, []string{"Superseded", "Stable", "RolledBack", "canary revision 3 rolled back"}},
		{[]string{"flags", "list"}, []string{"new-checkout", "KILLED", "blue 30% / red 70%", "premium", "gold"}},
		{[]string{"events"}, []string{"service.canary.rolled_back", "service.parallel_run.promoted", "flag.kill", "incident.opened", "promotion.succeeded"}},
		{[]string{"status", "--env", "staging"}, []string{"order", "Ready"}},
		{[]string{"pipeline", "status", "order"}, []string{"v1.0.0", "#2 v1.0.0 succeeded"}},
	} {
		r := s.mustCLI(c.args...)
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("slipway %s does not show %q:\n%s", strings.Join(c.args, " "), w, r.stdout)
			}
		}
	}
	var revs []api.Revision
	if err := s.getJSON("/v1/services/api/revisions", &revs); err != nil || len(revs) != 3 || revs[2].State != "RolledBack" {
		t.Errorf("api's revisions: %+v, %v", revs, err)
	}
}
