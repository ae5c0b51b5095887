package main

import (
	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/examples/shop"
)

// newExampleAppCmd is the hidden `slipway example-app`: the demo's shop
// service, served by the slipway binary itself so that the demo needs
// nothing but this binary.
func newExampleAppCmd() *cobra.Command {
	var name string
	var port int
	cmd := &cobra.Command{
		Use:    "example-app",
		Short:  "Serve the demo's example shop service",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := shop.FromEnv(name)
			if err != nil {
				return err
			}
			return shop.Serve(cmd.Context(), o, port)
		},
	}
	cmd.Flags().StringVar(&name, "name", "shop", "service name to report")
	cmd.Flags().IntVar(&port, "port", 8080, "port to listen on (127.0.0.1)")
	return cmd
}
