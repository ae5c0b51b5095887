package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newRollout is `slipway rollout`: verbs on a rollout in flight, each an
// edit to desired state that the server's controllers act on, and the
// views that follow and explain a canary or a parallel run.
func newRollout(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Follow and steer a service's rollout (promote, pause, abort, watch, explain...)",
		Long: "rollout acts on a service's rollout in flight and shows where it stands.\n" +
			"The verbs (promote, pause, resume, abort, retry, set-weight) are edits to\n" +
			"desired state: the server's controllers act on them at their next pass.",
	}
	cmd.AddCommand(
		newPromote(e), newPause(e), newResume(e), newAbort(e), newRetry(e), newSetWeight(e),
		newRolloutStatus(e), newWatch(e), newExplain(e),
	)
	return cmd
}

// verb is one rollout verb as the CLI runs it: what it asks the server,
// and what it says about the service as it stands after the edit.
type verb struct {
	name string
	req  api.RolloutRequest
	say  func(api.Service) string
}

// runVerb applies v to the service named and prints what it did. The
// server's error (say, a conflict naming what the service is doing
// instead) is the whole story, so it is returned as it is.
func (e *env) runVerb(cmd *cobra.Command, service string, v verb) error {
	svc, err := e.client().Rollout(cmd.Context(), service, v.name, v.req)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, v.say(svc))
	return nil
}

// serviceCommand is a rollout subcommand on one SERVICE, completed with
// the server's service names.
func (e *env) serviceCommand(use, short, long string) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Args: cobra.ExactArgs(1)}
	cmd.ValidArgsFunction = e.completeService
	return cmd
}

func newPromote(e *env) *cobra.Command {
	var full bool
	cmd := e.serviceCommand("promote SERVICE [--full]",
		"Move a rollout waiting for a person forward (canary step, parallel run verdict, or blue/green switch)",
		"promote moves a service's rollout forward:\n\n"+
			"  - a canary ends its current step (a pause, an analysis) and goes on with\n"+
			"    the next; with --full it skips every remaining step, scales the new\n"+
			"    revision to full and then gives it all traffic;\n"+
			"  - a parallel run is judged now rather than at its end: answers that\n"+
			"    match promote the candidate, answers that differ roll it back, and\n"+
			"    with too few requests compared so far the run goes on;\n"+
			"  - a blue/green rollout waiting for promotion switches all traffic to the\n"+
			"    new revision at once. The previous revision keeps running for the\n"+
			"    strategy's scaleDownDelay, so that a rollback is a traffic switch.")
	cmd.Flags().BoolVar(&full, "full", false, "canary: skip every remaining step and promote now")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runVerb(cmd, args[0], verb{name: "promote", req: api.RolloutRequest{Full: full}, say: promoted})
	})
	return cmd
}

// promoted says what a promote set in motion.
func promoted(s api.Service) string {
	if parallelInFlight(s) {
		return promotedParallel(s)
	}
	if !inFlight(s) {
		return fmt.Sprintf("promoting %s: revision %d takes all traffic once the controller acts (see \"slipway status %s\")",
			s.Name, s.Revision, s.Name)
	}
	c := s.Canary
	follow := fmt.Sprintf("follow it with \"slipway rollout watch %s\"", s.Name)
	switch {
	case c.Full:
		return fmt.Sprintf("promoting %s in full: canary r%d skips its remaining steps, scales to full, then takes all traffic; %s",
			s.Name, c.Revision, follow)
	case c.Step+1 >= c.Steps:
		return fmt.Sprintf("promoting %s: canary r%d ends its last step (%s), scales to full, then takes all traffic; %s",
			s.Name, c.Revision, stepOf(c), follow)
	}
	return fmt.Sprintf("promoting %s: canary r%d ends step %s and goes on with step %d/%d; %s",
		s.Name, c.Revision, stepOf(c), c.Step+2, c.Steps, follow)
}

// promotedParallel says what a promote set in motion on a parallel run:
// a verdict now on the requests compared so far, if there are enough.
func promotedParallel(s api.Service) string {
	p := s.ParallelRun
	head := fmt.Sprintf("promoting %s: the parallel run r%d is judged now", s.Name, p.Revision)
	follow := fmt.Sprintf("follow it with \"slipway rollout watch %s\"", s.Name)
	r := p.Report
	if r == nil || r.Compared < p.MinRequests {
		compared := 0
		if r != nil {
			compared = r.Compared
		}
		// The server judges on fresher counts, which may just reach the
		// minimum: hence "likely".
		return fmt.Sprintf("%s, but %d of the %d requests it needs are compared so far: too few to judge, it likely goes on "+
			"to its end at %s; %s", head, compared, p.MinRequests, formatTime(p.Ends), follow)
	}
	return fmt.Sprintf("%s on its %d requests compared so far (%s differ beyond noise, limit %s): promoted within the limit, "+
		"rolled back above it; %s", head, r.Compared, ratePercent(r.MismatchRate), ratePercent(p.MaxMismatchRate), follow)
}
