package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// commandExit is a command run by slipway exec that did not exit 0: the
// CLI exits with its code.
type commandExit struct{ code int }

func (e commandExit) Error() string { return fmt.Sprintf("the command exited with %d", e.code) }

func newExec(e *env) *cobra.Command {
	var req api.ExecRequest
	cmd := &cobra.Command{
		Use:   "exec SERVICE [--instance ID] [--timeout 1m] -- COMMAND [ARGS...]",
		Short: "Run a one-off command in an instance, as it runs (user, env with secrets, work dir)",
		Long: "exec runs COMMAND in a ready instance of the service's current revision (or\n" +
			"--instance), with the instance's user, environment (secrets included), working\n" +
			"directory and limits. It prints the command's output as the command writes it\n" +
			"(stdout and stderr together) and exits with its exit code. Who ran what, and how it ended, is\n" +
			"recorded as an event; its output is not. Needs an admin.",
		Args: cobra.MinimumNArgs(2),
	}
	cmd.Flags().StringVar(&req.Instance, "instance", "", "the instance (default: a ready one of the current revision)")
	cmd.Flags().StringVar(&req.Timeout, "timeout", "1m", "how long the command may run (at most 10m)")
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if cmd.ArgsLenAtDash() != 1 {
			return fmt.Errorf("write the command after --: slipway exec %s -- ls -l", args[0])
		}
		req.Command = args[1:]
		res, err := e.client().ExecStream(cmd.Context(), args[0], req, e.stdout)
		if err != nil {
			return err
		}
		if res.ExitCode == 0 {
			return nil
		}
		fmt.Fprintf(e.stderr, "command in %s exited with %d\n", res.Instance, res.ExitCode)
		if res.ExitCode < 0 {
			return commandExit{exitFailure}
		}
		return commandExit{res.ExitCode}
	})
	return cmd
}
