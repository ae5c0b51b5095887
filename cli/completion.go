package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// completeService completes a SERVICE argument with the names of the
// server's services. A server that cannot be reached completes nothing.
func (e *env) completeService(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 { // every command takes at most one SERVICE
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	services, err := e.client().Services(cmd.Context())
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	var names []cobra.Completion
	for _, s := range services {
		if strings.HasPrefix(s.Name, prefix) {
			names = append(names, s.Name)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
