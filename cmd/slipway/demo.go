package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/cli"
	"github.com/slipway-dev/slipway/server"
)

// newDemoCmd is `slipway demo`: an embedded server in a temporary folder
// and a story a newcomer can watch.
func newDemoCmd() *cobra.Command {
	var exit, keep bool
	var addr, routerAddr string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Watch Slipway deploy, update and roll back an example app",
		Long: "Starts a Slipway server in a temporary folder and deploys the example shop\n" +
			"app (order and invoice), rolls out a new version of order with no downtime,\n" +
			"then releases a version that never becomes ready and watches the stack roll\n" +
			"back on its own. Where runc is installed (and it runs as root), it then builds an\n" +
			"image of the example app, serves it from a registry on loopback and adds a service\n" +
			"run from it as containers. It then keeps running until Ctrl-C.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := &demo{out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(), addr: addr, routerAddr: routerAddr, exit: exit, keep: keep}
			return d.run(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&exit, "exit", false, "stop once the story is told instead of waiting for Ctrl-C")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary folder (data, logs) after stopping")
	cmd.Flags().StringVar(&addr, "api", "127.0.0.1:0", "address of the demo server's API (port 0: any free port)")
	cmd.Flags().StringVar(&routerAddr, "router", "127.0.0.1:0", "address of the demo server's traffic router (port 0: any free port)")
	return cmd
}

type demo struct {
	out, errOut io.Writer
	addr        string
	routerAddr  string
	exit, keep  bool
	dir, url    string
	routerURL   string
}

func (d *demo) run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "slipway-demo-")
	if err != nil {
		return err
	}
	d.dir = dir
	if !d.keep {
		defer os.RemoveAll(dir)
	}
	if err := d.prepareArtifact(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done, err := d.startServer(ctx)
	if err != nil {
		return err
	}
	storyErr := d.story(ctx)
	if storyErr == nil && !d.exit {
		d.say("Slipway is running at %s. Try, in another terminal:\n  go run ./cmd/slipway --server %s status\n  go run ./cmd/slipway --server %s events -f\nPress Ctrl-C to stop; the demo stops every instance it started.", d.url, d.url, d.url)
		<-ctx.Done()
	}
	cancel()
	fmt.Fprintln(d.out, "\nstopping the demo server and its instances...")
	if err := <-done; err != nil && storyErr == nil {
		storyErr = err
	}
	if ctx.Err() != nil && storyErr != nil && !d.exit {
		return nil // interrupted mid-story: not a failure
	}
	return storyErr
}

// prepareArtifact copies this binary into the demo folder: the example
// services are served by its hidden example-app command.
func (d *demo) prepareArtifact() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the slipway binary: %w", err)
	}
	src, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Join(d.dir, "bin"), 0o755); err != nil {
		return err
	}
	dst, err := os.OpenFile(filepath.Join(d.dir, "bin", "shop"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

func (d *demo) startServer(ctx context.Context) (<-chan error, error) {
	cfg := server.Default()
	cfg.DataDir, cfg.APIAddr, cfg.RouterAddr, cfg.StopOnExit = filepath.Join(d.dir, "data"), d.addr, d.routerAddr, true
	cfg.Logger = slog.New(slog.NewTextHandler(d.errOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.SystemSocket = "" // a throwaway server: not the one the CLI should find from anywhere
	srv, err := server.New(cfg)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-done:
		return nil, err
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("demo server did not start within 30s")
	}
	// The demo talks over the owner-only socket: its user is an admin
	// there, with no token to pass around.
	d.url, d.routerURL = "unix://"+srv.SocketPath(), "http://"+srv.RouterAddr()
	d.say("Slipway server started: API %s (and http://%s with the token in %s), router %s (data in %s)",
		d.url, srv.Addr(), filepath.Join(cfg.DataDir, "admin.token"), d.routerURL, d.dir)
	return done, nil
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "\n==> "+format+"\n", args...)
}

// slipway runs a CLI command against the demo server, as a user would.
func (d *demo) slipway(ctx context.Context, args ...string) int {
	fmt.Fprintf(d.out, "$ slipway %s\n", join(args))
	return cli.Run(ctx, append(args, "--server", d.url), d.out, d.out)
}

func join(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}
