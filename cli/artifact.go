package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
)

// newArtifact is `slipway artifact push`.
func newArtifact(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "artifact", Short: "Push the artifacts that environments deploy"}
	var (
		v          api.Version
		commitTime string
		gitDir     string
		img        imageFlags
	)
	push := &cobra.Command{
		Use:   "push (FILE | --image REF | --image-file PATH) --service S --version V [--commit SHA --commit-time T | --git DIR]",
		Short: "Store a built file or an OCI image as a version of a service",
		Long: "push uploads FILE (stored by its sha256 digest) and records it as version V of\n" +
			"service S: `slipway deploy` and `slipway promote` then move that very file\n" +
			"through the environments, never a rebuild. --commit and --commit-time (or\n" +
			"--git, which reads them and every commit since the previous version from a\n" +
			"checkout) give the DORA metrics the lead time for changes.\n\n" +
			"--image REF records an OCI image instead: the server pulls it (with the\n" +
			"credentials of its own Docker config) and records its manifest digest, which\n" +
			"deploy and promote then move, never the tag. --image-file PATH uploads an image\n" +
			"from a file: an OCI image layout folder or a docker-save tarball (with --image\n" +
			"REPO to name its repository).",
		Args: cobra.MaximumNArgs(1),
	}
	push.Flags().StringVar(&img.ref, "image", "", "an OCI image reference the server pulls, like registry.example/shop/order:v1")
	push.Flags().StringVar(&img.file, "image-file", "", "an OCI image layout folder or a docker-save tarball to upload")
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
		if err := img.check(args); err != nil {
			return err
		}
		if img.set() {
			return e.pushImage(cmd.Context(), c, img, v)
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
