package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// versionInfo is what "slipway version -o json" prints.
type versionInfo struct {
	Client string      `json:"client"`
	Go     string      `json:"go"`
	Server *api.Health `json:"server,omitempty"`
}

// Version returns the version of this build: the main module's version
// when built from a tagged module, "dev" otherwise.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newVersion(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the client's version, and the server's when reachable",
		Args:  cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		info := versionInfo{Client: Version(), Go: runtime.Version()}
		if h, err := e.client().Health(cmd.Context()); err == nil {
			info.Server = &h
		}
		if *out == outputJSON {
			return printJSON(e.stdout, info)
		}
		fmt.Fprintf(e.stdout, "slipway %s (%s)\n", info.Client, info.Go)
		if info.Server != nil {
			fmt.Fprintf(e.stdout, "server  %s at %s\n", info.Server.Version, e.server)
		} else {
			fmt.Fprintf(e.stdout, "server  not reachable at %s\n", e.server)
		}
		return nil
	})
	return cmd
}
