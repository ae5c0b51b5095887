package cli

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newIncident(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident open|resolve|list",
		Short: "Record incidents that no automatic check caught",
		Long: "incident records a failure in production that a person noticed: open one,\n" +
			"naming the revision that caused it (--caused-by) so that the DORA metrics\n" +
			"count it against that deployment, and resolve it once the service is\n" +
			"healthy again.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newIncidentOpen(e), newIncidentResolve(e), newIncidentList(e))
	return cmd
}

func newIncidentOpen(e *env) *cobra.Command {
	var req api.IncidentRequest
	cmd := &cobra.Command{
		Use:   "open SERVICE [--env ENV] [--caused-by REVISION] [--title TEXT]",
		Short: "Open an incident on a service",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().IntVar(&req.CausedBy, "caused-by", 0, "the revision that caused it (slipway history SERVICE)")
	cmd.Flags().StringVar(&req.Title, "title", "", "what users see, in one line")
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		req.Service, req.Env = args[0], e.envName // default: production
		in, err := e.client().OpenIncident(cmd.Context(), req)
		if err != nil {
			return err
		}
		cause := "cause not known"
		if in.CausedBy != 0 {
			cause = fmt.Sprintf("caused by revision %d", in.CausedBy)
		}
		fmt.Fprintf(e.stdout, "incident %d opened on %s (%s), %s\n", in.ID, in.Service, in.Env, cause)
		return nil
	})
	return cmd
}

func newIncidentResolve(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "resolve ID",
		Short: "Resolve an incident: the service is healthy again",
		Args:  cobra.ExactArgs(1),
	}
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		id, err := strconv.Atoi(args[0])
		if err != nil || id < 1 {
			return fmt.Errorf("incident id: want a positive integer (slipway incident list), got %q", args[0])
		}
		in, err := e.client().ResolveIncident(cmd.Context(), id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "incident %d on %s resolved after %s\n", in.ID, in.Service, formatSpan(in.Resolved.Sub(in.Opened).Seconds()))
		return nil
	})
	return cmd
}

func newIncidentList(e *env) *cobra.Command {
	var (
		service  string
		openOnly bool
	)
	cmd := &cobra.Command{
		Use:   "list [--service S] [--open]",
		Short: "List incidents, oldest first",
		Args:  cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	cmd.Flags().StringVar(&service, "service", "", "only this service's")
	cmd.Flags().BoolVar(&openOnly, "open", false, "only the ones not resolved")
	_ = cmd.RegisterFlagCompletionFunc("service", e.completeService)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		is, err := e.client().Incidents(cmd.Context(), service, openOnly)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(is))
		}
		printIncidents(e.stdout, is)
		return nil
	})
	return cmd
}

func printIncidents(w io.Writer, is []api.Incident) {
	t := newTable(w)
	fmt.Fprintln(t, "ID\tSERVICE\tENV\tCAUSED BY\tOPENED\tRESOLVED\tTITLE")
	for _, in := range is {
		cause := "-"
		if in.CausedBy != 0 {
			cause = "revision " + strconv.Itoa(in.CausedBy)
		}
		fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", in.ID, in.Service, in.Env, cause,
			formatTime(in.Opened), formatTime(in.Resolved), orDash(in.Title))
	}
	t.Flush()
}
