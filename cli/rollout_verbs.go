package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newPause(e *env) *cobra.Command {
	var reason string
	cmd := e.serviceCommand("pause SERVICE [--reason TEXT]", "Stop a canary's steps where they are",
		"pause stops a canary's steps where they are: its weight holds, and its\n"+
			"analysis goes on (a failure still rolls it back). Go on with resume or\n"+
			"promote; abort rolls it back.")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded with the pause and in the event log")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runVerb(cmd, args[0], verb{name: "pause", req: api.RolloutRequest{Reason: reason}, say: func(s api.Service) string {
			return fmt.Sprintf("paused %s (%s); go on with \"slipway rollout resume %s\" or \"slipway rollout promote %s\"",
				canaryAt(s), pauseReason(s), s.Name, s.Name)
		}})
	})
	return cmd
}

func newResume(e *env) *cobra.Command {
	cmd := e.serviceCommand("resume SERVICE", "Let a paused canary take its steps again",
		"resume lets a paused canary take its steps again. An analysis that was\n"+
			"inconclusive (and paused it) measures afresh.")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runVerb(cmd, args[0], verb{name: "resume", say: func(s api.Service) string {
			return fmt.Sprintf("resumed %s; follow it with \"slipway rollout watch %s\"", canaryAt(s), s.Name)
		}})
	})
	return cmd
}

func newAbort(e *env) *cobra.Command {
	var reason string
	cmd := e.serviceCommand("abort SERVICE [--reason TEXT]", "Roll a canary back (all traffic to stable at once), or reject a parallel run's candidate",
		"abort rolls a canary back as a failed analysis would: all traffic goes to\n"+
			"the stable revision at once and the canary's instances stop. Try it again\n"+
			"later with \"slipway rollout retry SERVICE\".\n\n"+
			"On a parallel run, abort ends the run and rejects its candidate; users\n"+
			"were on the stable revision throughout.")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded as the rollout's outcome and in the event log")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runVerb(cmd, args[0], verb{name: "abort", req: api.RolloutRequest{Reason: reason}, say: func(s api.Service) string {
			if parallelInFlight(s) {
				return fmt.Sprintf("aborting %s: its candidate is rejected once the controller acts; users stay on r%d, as they were "+
					"throughout; see \"slipway rollout explain %s\"", parallelName(s.Name, s.ParallelRun), s.ParallelRun.Stable, s.Name)
			}
			stable := "the stable revision"
			if s.Canary != nil {
				stable = fmt.Sprintf("r%d", s.Canary.Stable)
			}
			return fmt.Sprintf("aborting %s: all traffic goes back to %s once the controller acts; see \"slipway rollout explain %s\"",
				canaryName(s), stable, s.Name)
		}})
	})
	return cmd
}

func newRetry(e *env) *cobra.Command {
	cmd := e.serviceCommand("retry SERVICE", "Start a rolled-back canary again from its first step",
		"retry starts the canary of a rolled-back revision again, from its first\n"+
			"step, as an operation (reverted like an apply if it fails). The stable\n"+
			"revision keeps the traffic meanwhile.")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runVerb(cmd, args[0], verb{name: "retry", say: func(s api.Service) string {
			return fmt.Sprintf("retrying %s from its first step; follow it with \"slipway rollout watch %s\"",
				canaryName(s), s.Name)
		}})
	})
	return cmd
}

func newSetWeight(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set-weight SERVICE WEIGHT",
		Short: "Give a canary a share of traffic by hand (and pause its steps)",
		Long: "set-weight gives a canary WEIGHT percent (0..100) of the traffic by hand\n" +
			"and pauses its steps, so that the weight holds until resume or promote.",
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(2)(cmd, args); err != nil {
				return err
			}
			_, err := parseWeight(args[1])
			return err
		},
		ValidArgsFunction: e.completeService,
	}
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		w, err := parseWeight(args[1])
		if err != nil {
			return err
		}
		return e.runVerb(cmd, args[0], verb{name: "set-weight", req: api.RolloutRequest{Weight: &w}, say: func(s api.Service) string {
			return fmt.Sprintf("%s now has %d%% of the traffic; its steps are paused until \"slipway rollout resume %s\" or \"slipway rollout promote %s\"",
				canaryName(s), w, s.Name, s.Name)
		}})
	})
	return cmd
}

// parseWeight reads a canary weight: a whole percentage, 0..100.
func parseWeight(s string) (int, error) {
	w, err := strconv.Atoi(s)
	if err != nil || w < 0 || w > 100 {
		return 0, fmt.Errorf("weight must be a whole percentage of traffic, 0..100, not %q", s)
	}
	return w, nil
}

// canaryName names the service's canary: "the canary r3 of order".
func canaryName(s api.Service) string {
	if s.Canary == nil {
		return "the canary of " + s.Name
	}
	return fmt.Sprintf("the canary r%d of %s", s.Canary.Revision, s.Name)
}

// canaryAt names the canary and where it stands: "the canary r3 of
// order at step 2/5 setWeight: 20, 20% of the traffic".
func canaryAt(s api.Service) string {
	if s.Canary == nil {
		return canaryName(s)
	}
	return fmt.Sprintf("%s at step %s, %d%% of the traffic", canaryName(s), stepOf(s.Canary), s.Canary.Weight)
}

// pauseReason is why the canary is paused, as the server recorded it.
func pauseReason(s api.Service) string {
	if s.Canary == nil || s.Canary.PauseReason == "" {
		return "paused"
	}
	return s.Canary.PauseReason
}
