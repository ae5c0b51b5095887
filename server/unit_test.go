package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnitInstallAndUninstall(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    Unit
		path string
		want []string
	}{
		{"system", Unit{Binary: "/usr/local/bin/slipway", DataDir: "/var/lib/slip way", Args: []string{"--api", "127.0.0.1:7400", "--flag-key", "50%"}},
			"etc/systemd/system/slipway.service", []string{
				`ExecStart=/usr/local/bin/slipway server --data "/var/lib/slip way" --runtime-dir /run/slipway/server --api 127.0.0.1:7400 --flag-key 50%%` + "\n",
				"KillMode=process\n", "RuntimeDirectoryPreserve=yes\n", "WantedBy=multi-user.target\n", "Restart=on-failure\n"}},
		{"user", Unit{Binary: "/home/ann/bin/slipway", DataDir: "/home/ann/.local/share/slipway", User: true, Home: "/home/ann"},
			"home/ann/.config/systemd/user/slipway.service", []string{
				"ExecStart=/home/ann/bin/slipway server --data /home/ann/.local/share/slipway --runtime-dir %t/slipway/server\n",
				"WantedBy=default.target\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.u.Root = t.TempDir()
			p, err := tc.u.Install()
			if err != nil {
				t.Fatal(err)
			}
			if p != filepath.Join(tc.u.Root, tc.path) {
				t.Errorf("installed at %s; want %s", p, tc.path)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("unit lacks %q:\n%s", w, b)
				}
			}
			if _, err := tc.u.Install(); err != nil { // again: replaces it
				t.Errorf("a second install: %v", err)
			}
			if _, err := tc.u.Uninstall(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("uninstall left %s (%v)", p, err)
			}
			if _, err := tc.u.Uninstall(); err != nil {
				t.Errorf("uninstall with nothing installed: %v", err)
			}
		})
	}
	if _, err := (Unit{Binary: "slipway", DataDir: "/d", Root: t.TempDir()}).Install(); err == nil {
		t.Error("a relative binary installed")
	}
}
