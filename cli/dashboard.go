package cli

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"
)

// newDashboard is `slipway dashboard`: it asks the server (over the Unix
// socket, so as the local user) for a one-time login link and opens it
// in a browser, or prints it when none can be opened.
func newDashboard(e *env) *cobra.Command {
	var print bool
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Open the web dashboard, logged in as you (a one-time link)",
		Long: "Opens the dashboard the server serves on its API address, with a link that logs\n" +
			"the browser in as you and works once, for two minutes. Without a browser (no\n" +
			"display, or --print) it prints the link: open it on this machine. Anyone else\n" +
			"logs in with a token (slipway token create NAME --role viewer).",
		Args: cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&print, "print", false, "print the link, do not open a browser")
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		link, err := e.client().DashboardLogin(cmd.Context())
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, link.URL)
		if print || !canOpenBrowser() {
			fmt.Fprintf(e.stderr, "open the link above in a browser on this machine; it works once, until %s\n", link.Expires.Local().Format(time.TimeOnly))
			return nil
		}
		if err := openBrowser(link.URL); err != nil {
			fmt.Fprintf(e.stderr, "could not open a browser (%v): open the link above; it works once, until %s\n", err, link.Expires.Local().Format(time.TimeOnly))
		}
		return nil
	})
	return cmd
}

// canOpenBrowser reports whether a graphical browser can be started.
func canOpenBrowser() bool {
	if runtime.GOOS == "darwin" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// openBrowser starts the system's opener; it is not tied to the
// command's context, which ends as soon as the command returns.
func openBrowser(url string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	return exec.Command(name, url).Start()
}
