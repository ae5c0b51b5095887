package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
)

// newEnvCmd is `slipway env list`.
func newEnvCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "env", Short: "List the environments the server hosts"}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the environments, their routers and services",
		Args:  cobra.NoArgs,
	}
	out := addOutputFlag(list)
	list.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		envs, err := e.client().Environments(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, envs)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ENVIRONMENT\tROUTER\tSERVICES\t")
		for _, en := range envs {
			name := en.Name
			if en.Production {
				name += " (production)"
			}
			if en.Down {
				name += " (going down)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, en.Router, orDash(strings.Join(en.Services, ", ")))
		}
		return tw.Flush()
	})
	cmd.AddCommand(list)
	return cmd
}

// newArtifact is `slipway artifact push`.
func newArtifact(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "artifact", Short: "Push the artifacts that environments deploy"}
	var (
		v          api.Version
		commitTime string
		gitDir     string
	)
	push := &cobra.Command{
		Use:   "push FILE --service S --version V [--commit SHA --commit-time T | --git DIR]",
		Short: "Store a built file as a version of a service",
		Long: "push uploads FILE (stored by its sha256 digest) and records it as version V of\n" +
			"service S: `slipway deploy` and `slipway promote` then move that very file\n" +
			"through the environments, never a rebuild. --commit and --commit-time (or\n" +
			"--git, which reads them and every commit since the previous version from a\n" +
			"checkout) give the DORA metrics the lead time for changes.",
		Args: cobra.ExactArgs(1),
	}
	push.Flags().StringVar(&v.Service, "service", "", "the service it is a version of (required)")
	push.Flags().StringVar(&v.Version, "version", "", "its version label, like v1.4.2 (required)")
	push.Flags().StringVar(&v.Commit, "commit", "", "the commit it was built from")
	push.Flags().StringVar(&commitTime, "commit-time", "", "when that commit was made (RFC 3339)")
	push.Flags().StringVar(&gitDir, "git", "", "read the commit, its time and the commits since the previous version from this git checkout")
	push.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if err := checkPush(v, commitTime, gitDir); err != nil {
			return err
		}
		c := e.client()
		if commitTime != "" {
			t, err := time.Parse(time.RFC3339, commitTime)
			if err != nil {
				return fmt.Errorf("--commit-time %q: want an RFC 3339 time like 2025-03-01T09:30:00Z", commitTime)
			}
			v.CommitTime = t
		}
		if gitDir != "" {
			if err := fromGit(cmd.Context(), c, &v, gitDir); err != nil {
				return err
			}
		}
		return e.push(cmd.Context(), c, args[0], v)
	})
	cmd.AddCommand(push)
	return cmd
}

// checkPush checks push's flags before anything is read or sent.
func checkPush(v api.Version, commitTime, gitDir string) error {
	var bad []string
	if v.Service == "" {
		bad = append(bad, "--service is required")
	}
	if v.Version == "" {
		bad = append(bad, "--version is required")
	}
	if gitDir != "" && (v.Commit != "" || commitTime != "") {
		bad = append(bad, "--git reads the commit: give it or --commit/--commit-time, not both")
	}
	if (v.Commit == "") != (commitTime == "") && gitDir == "" {
		bad = append(bad, "--commit and --commit-time go together")
	}
	if v.Commit != "" {
		if _, err := spec.ParseCommitID(v.Commit); err != nil {
			bad = append(bad, "--commit: "+err.Error())
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// push uploads the file (unless the server has it) and records the
// version.
func (e *env) push(ctx context.Context, c *client.Client, file string, v api.Version) error {
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("artifact %s: %w", file, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("artifact %s: not a regular file", file)
	}
	digest, err := spec.Digest(file)
	if err != nil {
		return fmt.Errorf("artifact %s: %w", file, err)
	}
	v.Digest, v.Path, v.Size = digest, filepath.Base(file), st.Size()
	has, err := c.HasArtifact(ctx, digest)
	if err != nil {
		return err
	}
	if !has {
		fmt.Fprintf(e.stderr, "uploading %s (%s, %d bytes)\n", file, shortDigest(digest), st.Size())
		if err := putFile(ctx, c, artifact{service: v.Service, path: file, file: file, digest: digest}); err != nil {
			return fmt.Errorf("upload %s: %w", file, err)
		}
	}
	out, err := c.PushVersion(ctx, v)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pushed %s version %s (%s)", out.Service, out.Version, shortDigest(out.Digest))
	if out.Commit != "" {
		fmt.Fprintf(e.stdout, ", commit %s", short(out.Commit, 12))
	}
	if n := len(out.Commits); n > 1 {
		fmt.Fprintf(e.stdout, " carrying %d commits", n)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// maxCommits bounds the commits a version carries (lead time of each).
const maxCommits = 1000

// fromGit reads a checkout's HEAD, its time, and every commit since the
// previous version's (when that one is an ancestor).
func fromGit(ctx context.Context, c *client.Client, v *api.Version, dir string) error {
	head, err := git(ctx, dir, "log", "-1", "--format=%H %cI")
	if err != nil {
		return err
	}
	id, when, err := commitLine(head)
	if err != nil {
		return err
	}
	v.Commit, v.CommitTime = id, when
	rng := "HEAD"
	if prev, err := previousCommit(ctx, c, v.Service); err != nil {
		return err
	} else if prev != "" {
		if _, err := git(ctx, dir, "merge-base", "--is-ancestor", prev, "HEAD"); err == nil {
			rng = prev + "..HEAD"
		}
	}
	out, err := git(ctx, dir, "log", fmt.Sprintf("--max-count=%d", maxCommits), "--format=%H %cI", rng)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		id, when, err := commitLine(line)
		if err != nil {
			return err
		}
		v.Commits = append(v.Commits, api.Commit{ID: id, Time: when})
	}
	return nil
}

// previousCommit is the commit of the service's latest pushed version
// that names one.
func previousCommit(ctx context.Context, c *client.Client, service string) (string, error) {
	vs, err := c.Versions(ctx, service)
	if err != nil {
		return "", err
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Commit != "" {
			return vs[i].Commit, nil
		}
	}
	return "", nil
}

func commitLine(line string) (string, time.Time, error) {
	id, at, ok := strings.Cut(strings.TrimSpace(line), " ")
	when, err := time.Parse(time.RFC3339, at)
	if !ok || err != nil {
		return "", time.Time{}, fmt.Errorf("git log: unexpected line %q", line)
	}
	return id, when, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s in %s: %s", strings.Join(args, " "), dir, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("git %s in %s: %w", strings.Join(args, " "), dir, err)
	}
	return string(out), nil
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// who is the person a deploy, promotion or approval is recorded for.
func who() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

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
		return e.waitPromotion(cmd.Context(), client.New(c.BaseURL(), client.WithToken(e.token), client.WithEnv(req.To)), p, timeout)
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

// newApprove is `slipway approve S --env prod`.
func newApprove(e *env) *cobra.Command {
	var req api.ApproveRequest
	cmd := &cobra.Command{
		Use:   "approve SERVICE --env ENV [--reject --reason TEXT]",
		Short: "Approve (or reject) the promotion waiting for approval in an environment",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&req.By, "by", who(), "who approves, recorded with the promotion")
	cmd.Flags().BoolVar(&req.Reject, "reject", false, "reject it instead: the promotion fails")
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why (with --reject)")
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if e.envName == "" {
			return errors.New("--env is required: the environment the promotion waits to enter")
		}
		p, err := e.client().Approve(cmd.Context(), args[0], req)
		if err != nil {
			return err
		}
		verb := "approved"
		if req.Reject {
			verb = "rejected"
		}
		fmt.Fprintf(e.stdout, "promotion %d of %s version %s into %s %s by %s\n", p.ID, p.Service, p.Version, p.To, verb, req.By)
		return nil
	})
	return cmd
}

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
	cmd.AddCommand(status)
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

// newDown is `slipway down --env staging`.
func newDown(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "down --env ENV",
		Short: "Take an environment down: stop its controllers, then drain and stop its instances",
		Long: "down first suspends desired-state management for the environment (no\n" +
			"controller may start an instance meanwhile), then takes every instance out\n" +
			"of the router's rotation, lets its requests finish, and stops it. The\n" +
			"services' history stays; an apply brings the environment back.",
		Args: cobra.NoArgs,
	}
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		if e.envName == "" {
			return errors.New("--env is required: the environment to take down")
		}
		if err := e.client().Down(cmd.Context()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "environment %s is down\n", e.envName)
		return nil
	})
	return cmd
}
