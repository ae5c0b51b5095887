package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
)

// Environment variables that give the global flags their defaults.
const (
	EnvServer = "SLIPWAY_SERVER"
	EnvToken  = "SLIPWAY_TOKEN"
	EnvEnv    = "SLIPWAY_ENV"
)

// env is what every command shares: the output streams and the global
// flags. It lives for one run of the command tree.
type env struct {
	stdout, stderr io.Writer
	server, token  string
	// tokenFile is --token-file: a file holding the token.
	tokenFile string
	// tried are the places resolve looked for a server, for the error
	// when none answers.
	tried []string
	// systemSocket is where resolve looks for a root server's socket
	// ("": client.SystemSocket); tests point it elsewhere.
	systemSocket string
	// envName is --env: the environment commands read and change
	// ("" = the server's default one).
	envName string
	// now is the clock: how long a rollout has left, when a watch line
	// was seen.
	now func() time.Time
	// started is set once a command's own code runs; an error before that
	// came from cobra's parsing (a usage error).
	started bool
}

// client returns a client for the --server and --token flags, or for
// the server the CLI finds by itself (see resolve).
func (e *env) client() *client.Client {
	server, token, tried := e.resolve()
	e.tried = tried
	return client.New(server, client.WithToken(token), client.WithEnv(e.envName))
}

// checkEnv refuses an --env (or SLIPWAY_ENV) that cannot name an
// environment, before anything is sent.
func (e *env) checkEnv() error {
	if e.envName == "" {
		return nil
	}
	e.started = true // a usage error would print the whole help
	if err := spec.CheckEnvironmentName(e.envName); err != nil {
		return fmt.Errorf("--env (or %s): %w", EnvEnv, err)
	}
	return nil
}

// run wraps a command's body so that the tree knows it got past parsing.
func (e *env) run(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		e.started = true
		return fn(cmd, args)
	}
}

// wrap makes a command defined elsewhere (and its subcommands) mark the
// run as started, so that its errors are not taken for usage errors.
func (e *env) wrap(c *cobra.Command) {
	if c.RunE != nil {
		c.RunE = e.run(c.RunE)
	}
	for _, sub := range c.Commands() {
		e.wrap(sub)
	}
}

func newRoot(now func() time.Time, stdout, stderr io.Writer, extra ...*cobra.Command) (*cobra.Command, *env) {
	e := &env{stdout: stdout, stderr: stderr, now: now}
	root := &cobra.Command{
		Use:   "slipway",
		Short: "Deploy and release services with zero downtime",
		Long: "slipway deploys the services described in an app spec (slipway.yaml)\n" +
			"with zero downtime, and rolls them back when a release goes bad.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := e.readToken(cmd); err != nil {
			return err
		}
		return e.checkEnv()
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&e.server, "server", os.Getenv(EnvServer),
		"address of the slipway server: unix:///path/slipway.sock or http://host:port (env "+EnvServer+
			"; default: the socket ./.slipway/slipway.sock (env "+EnvData+" names another data folder than ./.slipway), then "+
			client.SystemSocket+", then "+client.DefaultServer+" with ./.slipway/admin.token)")
	root.PersistentFlags().StringVar(&e.token, "token", os.Getenv(EnvToken),
		"API token sent as a bearer token; visible to every user in ps, so prefer --token-file or env "+EnvToken)
	root.PersistentFlags().StringVar(&e.tokenFile, "token-file", "",
		"file holding the API token (instead of --token, which ps shows; a server's is DATA/admin.token)")
	root.PersistentFlags().StringVar(&e.envName, "env", os.Getenv(EnvEnv),
		"environment to read or change (dev, staging, prod...; env "+EnvEnv+"; default: the server's default one)")
	root.AddCommand(
		newEnvCmd(e), newArtifact(e), newDeploy(e), newPromoteEnv(e), newApprove(e), newNotifications(e), newPipeline(e), newDown(e),
		newValidate(e), newPlan(e), newApply(e),
		newStatus(e), newHistory(e), newRollback(e),
		newLogs(e), newEvents(e), newVersion(e), newBackup(e), newRollout(e), newFlags(e), newConfig(e), newDora(e), newIncident(e), newToken(e), newDashboard(e),
		newSecret(e), newRestart(e), newScale(e), newExec(e),
		newJobs(e), newJob(e), newVolume(e), newKube(e),
	)
	for _, c := range extra {
		e.wrap(c)
	}
	root.AddCommand(extra...)
	root.InitDefaultCompletionCmd()
	refuseUnknownSubcommands(root)
	return root, e
}

// Run executes the command line args and returns the exit code. Errors
// are printed to stderr as "error: ..." lines.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, extra ...*cobra.Command) int {
	return execute(ctx, time.Now, args, stdout, stderr, extra...)
}

// execute is Run on the clock now.
func execute(ctx context.Context, now func() time.Time, args []string, stdout, stderr io.Writer, extra ...*cobra.Command) int {
	root, e := newRoot(now, stdout, stderr, extra...)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if !e.started {
		return usageFailure(stderr, cmd, err)
	}
	return failure(stderr, unreachable(err, e.tried))
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
