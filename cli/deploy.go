package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

// newDeploy is `slipway deploy S --version V --env dev`.
func newDeploy(e *env) *cobra.Command {
	var (
		req     api.DeployRequest
		wait    bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "deploy SERVICE --version V --env ENV [--wait]",
		Short: "Deploy a pushed version into an environment, through its gates",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&req.Version, "version", "", "the pushed version (slipway artifact push)")
	addWaitFlags(cmd, &wait, &timeout)
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if req.Version == "" {
			return errors.New("--version is required (slipway artifact push FILE --service S --version V pushes one)")
		}
		if e.envName == "" {
			return errors.New("--env is required: the environment to deploy to")
		}
		req.By = who()
		c := e.client()
		p, err := c.Deploy(cmd.Context(), args[0], req)
		if err != nil {
			return err
		}
		printPromotionStarted(e.stdout, p)
		if !wait {
			return nil
		}
		return e.waitPromotion(cmd.Context(), c, p, timeout)
	})
	return cmd
}

// newPromoteEnv is `slipway promote S --from staging --to prod`.
func newPromoteEnv(e *env) *cobra.Command {
	var (
		req     api.PromoteRequest
		wait    bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "promote SERVICE --from ENV --to ENV [--version V] [--wait]",
		Short: "Promote the version a service runs in one environment into the next",
		Long: "promote deploys into --to the very artifact (same digest) the service runs in\n" +
			"--from, once --to's gates pass: tests, approval, bake time, analysis. A\n" +
			"failed gate stops it; nothing is half-promoted.",
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&req.From, "from", "", "the environment it runs in now")
	cmd.Flags().StringVar(&req.To, "to", "", "the environment to promote it into")
	cmd.Flags().StringVar(&req.Version, "version", "", "the version expected to run in --from (refused if another runs there)")
	addWaitFlags(cmd, &wait, &timeout)
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if req.From == "" || req.To == "" {
			return errors.New("--from and --to are required, like --from staging --to prod")
		}
		req.By = who()
		c := e.client()
		p, err := c.Promote(cmd.Context(), args[0], req)
		if err != nil {
			return err
		}
		printPromotionStarted(e.stdout, p)
		if !wait {
			return nil
		}
		return e.waitPromotion(cmd.Context(), client.New(c.BaseURL(), client.WithToken(e.resolvedToken()), client.WithEnv(req.To)), p, timeout)
	})
	return cmd
}

func printPromotionStarted(w io.Writer, p api.Promotion) {
	what := "deploy"
	if p.From != "" {
		what = "promotion from " + p.From
	}
	fmt.Fprintf(w, "promotion %d: %s of %s version %s into %s\n", p.ID, what, p.Service, p.Version, p.To)
	for i, g := range p.Gates {
		fmt.Fprintf(w, "  gate %d: %s\n", i+1, g.Spec)
	}
	if len(p.Gates) == 0 {
		fmt.Fprintln(w, "  no gates")
	}
}

// waitPromotion follows a promotion until it ends, printing each change
// of what it waits for; it fails unless the promotion succeeded.
func (e *env) waitPromotion(ctx context.Context, c *client.Client, p api.Promotion, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := ""
	for {
		pl, err := c.Pipeline(ctx, p.Service)
		if err != nil {
			return err
		}
		cur := findPromotion(pl, p.ID)
		if cur != nil {
			line := cur.State
			if cur.Reason != "" {
				line += ": " + cur.Reason
			}
			if line != last {
				fmt.Fprintf(e.stdout, "%s  %s\n", e.now().Format("15:04:05"), line)
				last = line
			}
			switch cur.State {
			case "Succeeded":
				return nil
			case "Failed", "Cancelled":
				printGateOutput(e.stdout, *cur)
				return fmt.Errorf("promotion %d %s: %s", cur.ID, strings.ToLower(cur.State), cur.Reason)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("promotion %d still in flight after %s (slipway pipeline status %s)", p.ID, timeout, p.Service)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func findPromotion(pl api.Pipeline, id int64) *api.Promotion {
	for _, st := range pl.Stages {
		if st.Promotion != nil && st.Promotion.ID == id {
			return st.Promotion
		}
	}
	return nil
}

// printGateOutput shows the end of a failed test gate's output.
func printGateOutput(w io.Writer, p api.Promotion) {
	for i, g := range p.Gates {
		if g.State == "Failed" && g.Output != "" {
			fmt.Fprintf(w, "gate %d (%s) output:\n%s\n", i+1, g.Spec, indent(g.Output))
		}
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}
