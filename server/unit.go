package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// UnitName is the systemd unit `slipway server install` writes.
const UnitName = "slipway.service"

// Unit is a systemd unit that runs the server at boot.
type Unit struct {
	// Binary is the slipway executable (absolute), DataDir the server's
	// data folder (absolute).
	Binary, DataDir string
	// User makes a user unit (~/.config/systemd/user), for a server that
	// is not root; else a system unit (/etc/systemd/system).
	User bool
	// Home is the user's home (user units only).
	Home string
	// Args are more server flags (--api, --router...), as given.
	Args []string
	// Root is prepended to every path written (tests write under a
	// temporary folder instead of /); "" is /.
	Root string
}

// Path is where the unit file goes.
func (u Unit) Path() string {
	if u.User {
		return filepath.Join(u.Root, u.Home, ".config", "systemd", "user", UnitName)
	}
	return filepath.Join(u.Root, "/etc/systemd/system", UnitName)
}

// Text is the unit file. Why each setting:
//   - KillMode=process: stopping the service stops the server alone;
//     instances (and container monitors) keep running, as they do when
//     the server is stopped by hand, and the next server adopts them.
//   - RuntimeDirectory (with Preserve): the runtime directory lives on
//     /run, which a reboot clears and a service restart does not: its
//     marker gone is how the server knows the host restarted
//     (hostrestart.go) and starts every instance again in order.
//   - Restart=on-failure: a crashed server comes back; instances went on.
func (u Unit) Text() string {
	runtime, target := "/run/slipway/server", "multi-user.target"
	if u.User {
		runtime, target = "%t/slipway/server", "default.target"
	}
	exec := quoteArgs([]string{u.Binary, "server", "--data", u.DataDir}) + " --runtime-dir " + runtime
	if len(u.Args) > 0 {
		exec += " " + quoteArgs(u.Args)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by slipway server install; slipway server uninstall removes it.
[Unit]
Description=Slipway server (deployments, rollouts, router)
Documentation=https://github.com/slipway-dev/slipway
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=%s
RuntimeDirectory=slipway/server
RuntimeDirectoryMode=0700
RuntimeDirectoryPreserve=yes
KillMode=process
TimeoutStopSec=60s
Restart=on-failure
RestartSec=2s
LimitNOFILE=1048576

[Install]
WantedBy=%s
`, exec, target)
	return b.String()
}

// quoteArgs joins arguments for ExecStart, quoting those with spaces
// or quotes (systemd's own quoting rules: double quotes, backslash).
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		a = strings.ReplaceAll(a, "%", "%%") // a specifier otherwise
		if strings.ContainsAny(a, " \t\"'\\") {
			a = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a) + `"`
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// Install writes the unit file (replacing one there) and returns its
// path. Enabling it is systemctl's (the command does it).
func (u Unit) Install() (string, error) {
	if !filepath.IsAbs(u.Binary) || !filepath.IsAbs(u.DataDir) {
		return "", errors.New("install: the binary and the data folder must be absolute paths")
	}
	p := u.Path()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("install %s: %w", p, err)
	}
	if err := atomicfile.WriteFile(p, []byte(u.Text())); err != nil {
		return "", fmt.Errorf("install %s: %w", p, err)
	}
	return p, os.Chmod(p, 0o644)
}

// Uninstall removes the unit file; none there is not an error.
func (u Unit) Uninstall() (string, error) {
	p := u.Path()
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return p, fmt.Errorf("uninstall %s: %w", p, err)
	}
	return p, nil
}
