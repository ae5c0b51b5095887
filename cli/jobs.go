package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newJobs(e *env) *cobra.Command {
	var lines int
	cmd := &cobra.Command{
		Use:   "jobs SERVICE",
		Short: "List a service's job runs with their output",
		Long: "jobs lists the runs of a service's jobs (before: rollout, after: ready, or by hand),\n" +
			"newest last, each with its exit and last output lines. Jobs run once per revision\n" +
			"as it is rolled out, never on a rollback; `slipway job run` runs one by hand.",
		Args: cobra.ExactArgs(1),
	}
	out := addOutputFlag(cmd)
	cmd.Flags().IntVar(&lines, "lines", 5, "output lines shown per run (0: none)")
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		list, err := e.client().Jobs(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, list)
		}
		printJobs(e.stdout, list, lines)
		return nil
	})
	return cmd
}

// printJobs writes one block per run: a heading line, then its last
// output lines indented.
func printJobs(w io.Writer, list api.JobList, lines int) {
	if len(list.Runs) == 0 {
		fmt.Fprintf(w, "%s has no job runs (jobs of its target revision: %v)\n", list.Service, list.Jobs)
		return
	}
	for _, r := range list.Runs {
		took := ""
		if !r.StartedAt.IsZero() && !r.EndedAt.IsZero() {
			took = " in " + r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		fmt.Fprintf(w, "%s  revision %d  %s  %s%s", r.Job, r.Revision, r.When, r.State, took)
		if r.Exit != "" {
			fmt.Fprintf(w, " (%s)", r.Exit)
		}
		if r.Attempt > 1 {
			fmt.Fprintf(w, "  attempt %d", r.Attempt)
		}
		if r.By != "" {
			fmt.Fprintf(w, "  by %s", r.By)
		}
		fmt.Fprintln(w)
		out := r.Output
		if len(out) > lines {
			out = out[len(out)-lines:]
		}
		for _, l := range out {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

func newJob(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "job", Short: "Run a service's job by hand"}
	var req api.JobRunRequest
	run := &cobra.Command{
		Use:   "run SERVICE JOB [--revision N]",
		Short: "Run one of a service's jobs now, in its revision's environment",
		Long: "job run runs one of a service's jobs once, by hand, in the exact environment of a\n" +
			"revision (its stable one by default): artifact or image, env, user, limits.\n" +
			"`slipway jobs SERVICE` shows how it went.",
		Args: cobra.ExactArgs(2),
	}
	run.Flags().IntVar(&req.Revision, "revision", 0, "revision whose job and environment to run (default: the stable one)")
	run.ValidArgsFunction = e.completeService
	run.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		r, err := e.client().RunJob(cmd.Context(), args[0], args[1], req)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "job %s of %s revision %d will run; see slipway jobs %s\n", r.Job, args[0], r.Revision, args[0])
		return nil
	})
	cmd.AddCommand(run)
	return cmd
}
