package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// flagVerb is one run-time flag change as the CLI runs it: what it asks
// the server, and what it says about the flag as it is served after.
type flagVerb struct {
	name string
	req  api.FlagRequest
	say  func(api.Flag) string
}

// runFlagVerb applies v to the flag key and prints what it did. The
// server's error (an unknown flag, with the known ones; a default that
// is no variant) is the whole story, so it is returned as it is.
func (e *env) runFlagVerb(cmd *cobra.Command, key string, v flagVerb) error {
	f, err := e.client().EditFlag(cmd.Context(), key, v.name, v.req)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, v.say(f))
	return nil
}

// addReasonFlag adds --reason to a flag verb.
func addReasonFlag(cmd *cobra.Command, reason *string) {
	cmd.Flags().StringVar(reason, "reason", "", "why, recorded with the flag revision and in the event log")
}

func newFlagEnable(e *env) *cobra.Command {
	var reason string
	cmd := e.flagCommand("enable KEY [--reason TEXT]", "Turn a flag on (also after a kill)",
		"enable turns a flag on, also a killed one: its prerequisites, rules and\n"+
			"rollout decide again.")
	addReasonFlag(cmd, &reason)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runFlagVerb(cmd, args[0], flagVerb{name: "enable", req: api.FlagRequest{Reason: reason}, say: func(f api.Flag) string {
			return fmt.Sprintf("enabled %s: %s", f.Key, serving(f))
		}})
	})
	return cmd
}

func newFlagDisable(e *env) *cobra.Command {
	var reason string
	cmd := e.flagCommand("disable KEY [--reason TEXT]", "Turn a flag off: everyone gets its off variant",
		"disable turns a flag off: everyone gets its off variant (off: in the spec; a\n"+
			"boolean flag's false one), with reason DISABLED, until it is enabled again.")
	addReasonFlag(cmd, &reason)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runFlagVerb(cmd, args[0], flagVerb{name: "disable", req: api.FlagRequest{Reason: reason}, say: func(f api.Flag) string {
			return fmt.Sprintf(`disabled %s: %s, until "slipway flags enable %s"`, f.Key, serving(f), f.Key)
		}})
	})
	return cmd
}

func newFlagKill(e *env) *cobra.Command {
	var reason string
	cmd := e.flagCommand("kill KEY [--reason TEXT]", "The kill switch: a flag serves its off variant to everyone at once",
		"kill is the kill switch: the flag serves its off variant (off: in the spec; a\n"+
			"boolean flag's false one) to everyone at once, everywhere, whatever its\n"+
			"rules and rollout say, until it is enabled again. Clients that follow the\n"+
			"server's event stream re-fetch at once.")
	addReasonFlag(cmd, &reason)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.runFlagVerb(cmd, args[0], flagVerb{name: "kill", req: api.FlagRequest{Reason: reason}, say: killed})
	})
	return cmd
}

func newFlagSet(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "set KEY VARIANT [--reason TEXT]",
		Short: "Make a variant a flag's default",
		Long: "set makes VARIANT the flag's default: what everyone no rule or rollout\n" +
			"decides for gets. A flag off or killed serves its off variant instead (its\n" +
			"default only when it has none: a flag other than boolean without off:).",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: e.completeFlagVariant,
	}
	addReasonFlag(cmd, &reason)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		req := api.FlagRequest{Variant: args[1], Reason: reason}
		return e.runFlagVerb(cmd, args[0], flagVerb{name: "set", req: req, say: func(f api.Flag) string {
			if f.Killed || !f.Enabled {
				return fmt.Sprintf(`%s now defaults to %s; while the flag is %s everyone gets %s%s ("slipway flags enable %s" turns it on)`,
					f.Key, f.Default, flagState(f), offText(f), offNote(f), f.Key)
			}
			return fmt.Sprintf("%s now defaults to %s: %s", f.Key, f.Default, serving(f))
		}})
	})
	return cmd
}

func newFlagRollout(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "rollout KEY PERCENT|SPLIT [--reason TEXT]",
		Short: "Set the percentage split of everyone no rule matches (25%, or on=25,off=75)",
		Long: "rollout sets how everyone no rule matches is split between the variants, by\n" +
			"the flag's stickiness attribute (the same value always lands on the same\n" +
			"variant; raising a percentage only adds people). A bare percentage, like\n" +
			"25% or 25 (up to three decimals), goes to the variant that is not the\n" +
			"default, of a flag with two; a split, like on=25,off=75, names every\n" +
			"variant's share, summing to 100.",
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(2)(cmd, args); err != nil {
				return err
			}
			_, err := parseRollout(args[1])
			return err
		},
		ValidArgsFunction: e.completeFlag,
	}
	addReasonFlag(cmd, &reason)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		req, err := parseRollout(args[1])
		if err != nil {
			return err
		}
		req.Reason = reason
		return e.runFlagVerb(cmd, args[0], flagVerb{name: "rollout", req: req, say: rolledOut})
	})
	return cmd
}

// rolledOut says what a rollout edit set: whom the flag serves what now,
// or, when it is off, that the split waits for enable.
func rolledOut(f api.Flag) string {
	if f.Killed || !f.Enabled {
		return fmt.Sprintf(`%s rolls out %s once enabled ("slipway flags enable %s"); until then everyone gets %s%s`,
			f.Key, rolloutText(f), f.Key, offText(f), offNote(f))
	}
	s := fmt.Sprintf("rolled out %s: %s", f.Key, serving(f))
	if f.Stickiness != "" {
		s += ", sticky by " + f.Stickiness
	}
	return s
}

// killed says what a killed flag serves now:
// `payments killed: serves "off" (false) to everyone; ...`.
func killed(f api.Flag) string {
	return fmt.Sprintf(`%s killed: serves %s to everyone%s; "slipway flags enable %s" turns it back on`,
		f.Key, offText(f), offNote(f), f.Key)
}
