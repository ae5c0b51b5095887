package cli

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

func newStatus(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status [SERVICE]",
		Short: "Show services and their instances",
		Args:  cobra.MaximumNArgs(1),
	}
	out := addOutputFlag(cmd)
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		c := e.client()
		var services []api.Service
		if len(args) == 1 {
			s, err := c.Service(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			services = []api.Service{s}
		} else {
			var err error
			if services, err = c.Services(cmd.Context()); err != nil {
				return err
			}
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(services))
		}
		printStatus(e.stdout, services)
		if len(args) == 0 {
			if certs, err := c.Certificates(cmd.Context()); err == nil { // a server before TLS has no such view
				printCertificates(e.stdout, certs)
			}
			if vols, err := c.Volumes(cmd.Context()); err == nil && len(vols) > 0 { // nor one before volumes
				fmt.Fprintln(e.stdout)
				printVolumes(e.stdout, vols)
			}
		}
		if len(services) == 0 && e.envName == "" {
			e.otherEnvironments(cmd.Context(), c)
		}
		return nil
	})
	return cmd
}

// otherEnvironments says which environments have services, when the
// default one (shown without --env) has none.
func (e *env) otherEnvironments(ctx context.Context, c *client.Client) {
	envs, err := c.Environments(ctx)
	if err != nil {
		return
	}
	var names []string
	for _, en := range envs {
		if len(en.Services) > 0 {
			names = append(names, en.Name)
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(e.stdout, "Services run in environments %s: slipway status --env %s\n", strings.Join(names, ", "), names[0])
	}
}

// printStatus writes one row per service and, under each, its canary or
// parallel run in flight (if any) and its instances.
func printStatus(w io.Writer, services []api.Service) {
	if len(services) == 0 {
		fmt.Fprintln(w, `No services yet. Deploy some with "slipway apply -f slipway.yaml".`)
		return
	}
	rows := serviceRows(services)
	fmt.Fprintln(w, rows[0])
	for i, s := range services {
		fmt.Fprintln(w, rows[i+1])
		if brief := cmp.Or(canaryBrief(s), parallelBrief(s), previewBrief(s)); brief != "" {
			fmt.Fprintf(w, "    %s\n", brief)
		}
		if brief := autoscaleBrief(s); brief != "" {
			fmt.Fprintf(w, "    %s\n", brief)
		}
		for _, line := range hpaBrief(s) {
			fmt.Fprintf(w, "    %s\n", line)
		}
		printInstances(w, s.Instances)
	}
}

// autoscaleBrief tells a scaled service's bounds and target, and the
// autoscaler's last change: "autoscale 1..20 on concurrency 10: scaled
// to zero (the next request starts one)".
func autoscaleBrief(s api.Service) string {
	a := s.Autoscale
	if a == nil {
		return ""
	}
	head := fmt.Sprintf("autoscale %d..%d on %s", a.Min, a.Max, a.Target)
	switch {
	case a.ScaledToZero:
		return head + ": scaled to zero (the next request starts one)"
	case a.Reason != "":
		return fmt.Sprintf("%s: %s (%s)", head, a.Reason, a.ChangedAt.Local().Format(time.TimeOnly))
	}
	return head
}

// previewBrief tells how to reach a blue/green preview: its header and
// the secret value it must carry.
func previewBrief(s api.Service) string {
	t := s.Traffic
	if t == nil || t.Preview == 0 || t.PreviewSecret == "" {
		return ""
	}
	return fmt.Sprintf("preview r%d: %s: %s", t.Preview, t.PreviewHeader, t.PreviewSecret)
}

// serviceRows aligns the service table: the header, then one row per
// service, as lines.
func serviceRows(services []api.Service) []string {
	var b bytes.Buffer
	t := newTable(&b)
	fmt.Fprintln(t, "NAME\tREVISION\tPHASE\tREADY/DESIRED\tROUTE")
	for _, s := range services {
		fmt.Fprintf(t, "%s\t%s\t%s\t%d/%d\t%s\n",
			s.Name, revisionLabel(s), orDash(s.Phase), s.Ready, s.Desired, orDash(s.Route))
	}
	t.Flush()
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

// revisionLabel shows the target revision, and the stable one when a
// rollout is under way. A canary's split is on its own line instead of
// "traffic on": the stable revision does not take all of it.
func revisionLabel(s api.Service) string {
	label := strconv.Itoa(s.Revision)
	if s.Stable != 0 && s.Stable != s.Revision {
		label += fmt.Sprintf(" (stable %d)", s.Stable)
	}
	if t := s.Traffic; t != nil && t.Active != s.Revision && !inFlight(s) {
		label += fmt.Sprintf(" (traffic on %d)", t.Active)
	}
	return label
}

// printInstances writes a service's instances as an indented table.
func printInstances(w io.Writer, instances []api.Instance) {
	if len(instances) == 0 {
		return
	}
	if slices.ContainsFunc(instances, func(in api.Instance) bool { return in.Node != "" }) {
		printPods(w, instances)
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "    ID\tREV\tPID\tPORT\tSTATE\tREADY\tRESTARTS")
	for _, in := range instances {
		fmt.Fprintf(t, "    %s\t%d\t%d\t%d\t%s\t%s\t%d\n",
			in.ID, in.Revision, in.PID, in.Port, orDash(in.State), yesNo(in.Ready), in.Restarts)
	}
	t.Flush()
}

// printPods writes a Kubernetes service's pods: where each runs, and why
// a container does not.
func printPods(w io.Writer, pods []api.Instance) {
	t := newTable(w)
	fmt.Fprintln(t, "    POD\tREV\tNODE\tPHASE\tREADY\tRESTARTS\tMESSAGE")
	for _, in := range pods {
		fmt.Fprintf(t, "    %s\t%d\t%s\t%s\t%s\t%d\t%s\n",
			in.ID, in.Revision, orDash(in.Node), orDash(in.State), yesNo(in.Ready), in.Restarts, orDash(in.Message))
	}
	t.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// nonNil makes JSON output print [] rather than null for no items.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
