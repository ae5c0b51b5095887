package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newPipeline is `slipway pipeline status S`.
func newPipeline(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "pipeline", Short: "See versions move through the environments"}
	status := &cobra.Command{
		Use:   "status SERVICE",
		Short: "Where each version stands in each environment, what it waits for, how long each stage took",
		Args:  cobra.ExactArgs(1),
	}
	out := addOutputFlag(status)
	status.ValidArgsFunction = e.completeService
	status.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		pl, err := e.client().Pipeline(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, pl)
		}
		printPipeline(e.stdout, pl, e.now())
		return nil
	})
	cancel := &cobra.Command{
		Use:   "cancel SERVICE --env ENV",
		Short: "Cancel the promotion of a service into an environment that waits at its gates",
		Args:  cobra.ExactArgs(1),
	}
	cancel.ValidArgsFunction = e.completeService
	cancel.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if e.envName == "" {
			return errors.New("--env is required: the environment the promotion goes into")
		}
		p, err := e.client().CancelPromotion(cmd.Context(), args[0], who())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "promotion %d of %s version %s into %s cancelled\n", p.ID, p.Service, p.Version, p.To)
		return nil
	})
	cmd.AddCommand(status, cancel)
	return cmd
}

func printPipeline(w io.Writer, pl api.Pipeline, now time.Time) {
	fmt.Fprintf(w, "%s\n\n", pl.Service)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENVIRONMENT\tFROM\tGATES\tRUNS\tSINCE\tLATEST PROMOTION\t")
	for _, st := range pl.Stages {
		runs := "-"
		if st.Version != "" {
			runs = fmt.Sprintf("%s (r%d, %s)", st.Version, st.Revision, st.Phase)
		}
		since := "-"
		if !st.Since.IsZero() {
			since = now.Sub(st.Since).Round(time.Second).String() + " ago"
		}
		latest := "-"
		if p := st.Promotion; p != nil {
			latest = fmt.Sprintf("#%d %s %s", p.ID, p.Version, strings.ToLower(p.State))
			if p.By != "" {
				latest += " by " + p.By
			}
			if st.Waiting != "" {
				latest += ": " + st.Waiting
			} else if p.State == "Failed" {
				latest += ": " + p.Reason
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", st.Env, orDash(st.From), orDash(strings.Join(st.Gates, ", ")), runs, since, latest)
	}
	_ = tw.Flush()
	if len(pl.Flow) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFLOW (requested -> gates -> rollout, per environment)")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tENVIRONMENT\tREQUESTED\tGATES\tROLLOUT\tRESULT\t")
	for _, f := range pl.Flow {
		for _, s := range f.Steps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", f.Version, s.Env, s.Requested.Local().Format("2006-01-02 15:04:05"),
				seconds(s.GatesSeconds), seconds(s.DeploySeconds), strings.ToLower(s.State))
		}
	}
	_ = tw.Flush()
}

func seconds(s float64) string {
	if s == 0 {
		return "-"
	}
	return (time.Duration(s * float64(time.Second))).Round(100 * time.Millisecond).String()
}
