package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// refuseUnknownSubcommands makes every command that only groups others
// (rollout, flags, incident...) refuse an argument it has no subcommand
// for: cobra checks unknown commands only at the root, and otherwise
// prints the group's help and exits 0, so "slipway rollout explode
// order" would look like a success to a script. Without arguments the
// group still prints its help.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if c.HasParent() && c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		}
	}
}
