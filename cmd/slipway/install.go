package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/server"
)

// newInstallCmds are `slipway server install|uninstall`: the server as a
// systemd service that starts at boot.
func newInstallCmds() []*cobra.Command {
	var (
		u        server.Unit
		noEnable bool
	)
	install := &cobra.Command{
		Use:   "install [-- SERVER FLAGS...]",
		Short: "Run the server at boot: write a systemd unit (a user unit when not root) and enable it",
		Long: "install writes slipway.service (/etc/systemd/system, or ~/.config/systemd/user for a\n" +
			"server that is not root) running `slipway server --data DIR` and the flags after --,\n" +
			"then enables and starts it with systemctl (not with --root or --no-enable).\n" +
			"Stopping the service stops the server alone: instances keep running and are\n" +
			"adopted again. After a reboot every service's instances start again, in\n" +
			"dependency order. A user unit starts at boot only with `loginctl enable-linger`.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fillUnit(&u, args); err != nil {
				return err
			}
			p, err := u.Install()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", p)
			if u.Root != "" || noEnable {
				return nil
			}
			if err := systemctl(cmd, u.User, "daemon-reload"); err != nil {
				return err
			}
			if err := systemctl(cmd, u.User, "enable", "--now", server.UnitName); err != nil {
				return err
			}
			if u.User {
				fmt.Fprintln(cmd.OutOrStdout(), "a user unit starts at boot only if you run: loginctl enable-linger "+os.Getenv("USER"))
			}
			return nil
		},
	}
	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: "Stop running the server at boot: disable and remove its systemd unit (data and instances stay)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fillUnit(&u, nil); err != nil {
				return err
			}
			if u.Root == "" && !noEnable {
				if err := systemctl(cmd, u.User, "disable", "--now", server.UnitName); err != nil {
					return err
				}
			}
			p, err := u.Uninstall()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s (the data folder and running instances are left as they are)\n", p)
			return nil
		},
	}
	for _, c := range []*cobra.Command{install, uninstall} {
		f := c.Flags()
		f.StringVar(&u.DataDir, "data", "", "the server's data folder (default: /var/lib/slipway as root, else ~/.local/share/slipway)")
		f.BoolVar(&u.User, "user", os.Geteuid() != 0, "a user unit (default when not root)")
		f.StringVar(&u.Root, "root", "", "write under this folder instead of / and run no systemctl (to look at the unit, or build an image)")
		f.BoolVar(&noEnable, "no-enable", false, "write or remove the unit only; run no systemctl")
	}
	return []*cobra.Command{install, uninstall}
}

// fillUnit completes u's paths: this binary, the data folder, the home.
func fillUnit(u *server.Unit, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the slipway binary: %w", err)
	}
	u.Binary, u.Args = self, args
	if u.User {
		if u.Home, err = os.UserHomeDir(); err != nil {
			return err
		}
	}
	switch {
	case u.DataDir == "" && u.User:
		u.DataDir = filepath.Join(u.Home, ".local", "share", "slipway")
	case u.DataDir == "":
		u.DataDir = "/var/lib/slipway"
	}
	u.DataDir, err = filepath.Abs(u.DataDir)
	return err
}

func systemctl(cmd *cobra.Command, user bool, args ...string) error {
	if user {
		args = append([]string{"--user"}, args...)
	}
	c := exec.CommandContext(cmd.Context(), "systemctl", args...)
	c.Stdout, c.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := c.Run(); err != nil {
		return fmt.Errorf("systemctl %v: %w", args, err)
	}
	return nil
}
