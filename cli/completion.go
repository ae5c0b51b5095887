package cli

import (
	"maps"
	"slices"
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

// completeFlag completes a flag KEY argument with the keys of the
// server's flags. A server that cannot be reached completes nothing.
func (e *env) completeFlag(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 { // KEY is every flag command's first argument
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	fs, err := e.client().Flags(cmd.Context(), false)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	var keys []cobra.Completion
	for _, f := range fs {
		if strings.HasPrefix(f.Key, prefix) {
			keys = append(keys, f.Key)
		}
	}
	return keys, cobra.ShellCompDirectiveNoFileComp
}

// completeFlagVariant completes KEY, then VARIANT with the variants of
// that flag.
func (e *env) completeFlagVariant(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) != 1 {
		return e.completeFlag(cmd, args, prefix)
	}
	f, err := e.client().Flag(cmd.Context(), args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	var names []cobra.Completion
	for _, name := range slices.Sorted(maps.Keys(f.Variants)) {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
