package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
)

// Bounds on the server, the CLI and every wait.
const (
	cliTimeout  = 30 * time.Second // one slipway command
	waitTimeout = 30 * time.Second // one wait for the server to reach a state
	pollEvery   = 50 * time.Millisecond
	// handsOff is how long the bench sends nothing after a measured
	// request, so that its polling does not compete for the two cores
	// with the path it measures (which takes milliseconds).
	handsOff = 200 * time.Millisecond
)

// bench is the server under test, the binary that is also its CLI, a
// client per environment, and the app directory (slipway.yaml,
// bin/order, versions/).
type bench struct {
	srv           *benchkit.Server
	bin           string // slipway
	order         []byte // the built example service, copied into every artifact
	dir           string
	staging, prod *client.Client
	prodSeq       int64 // prod's last event seen
	progress      io.Writer
}

// newBench starts a server over a fresh data directory in ws.
func newBench(ctx context.Context, ws *benchkit.Workspace, progress io.Writer) (*bench, error) {
	order, err := os.ReadFile(ws.Path("order"))
	if err != nil {
		return nil, fmt.Errorf("read the order binary: %w", err)
	}
	dir := ws.Path("app")
	for _, d := range []string{filepath.Join(dir, "bin"), filepath.Join(dir, "versions")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("make app directory: %w", err)
		}
	}
	fmt.Fprintln(progress, "starting slipway server ...")
	srv, err := benchkit.StartServer(ctx, ws.Path("slipway"), ws.Path("data"), benchkit.HealthyTimeout)
	if err != nil {
		return nil, err
	}
	return &bench{srv: srv, bin: ws.Path("slipway"), order: order, dir: dir, progress: progress,
		staging: client.New(srv.URL, client.WithEnv("staging"), client.WithToken(srv.Token)), prod: client.New(srv.URL, client.WithEnv("prod"), client.WithToken(srv.Token))}, nil
}

// Close stops the server and every instance it started, in every
// environment (benchkit sweeps the processes under its data directory).
func (b *bench) Close() error { return b.srv.Close() }

// setUp creates staging and prod with a first version of the service,
// by `slipway apply --env E --wait`, and waits until both run it.
func (b *bench) setUp(ctx context.Context) error {
	if _, err := b.newArtifact(filepath.Join(b.dir, "bin", "order"), "initial"); err != nil {
		return err
	}
	file, _, err := b.writeSpec("v0", "")
	if err != nil {
		return err
	}
	for _, env := range []struct {
		name string
		c    *client.Client
	}{{"staging", b.staging}, {"prod", b.prod}} {
		fmt.Fprintf(b.progress, "creating %s ...\n", env.name)
		if err := b.cli(ctx, "apply", "-f", file, "--env", env.name, "--wait", "--timeout", waitTimeout.String()); err != nil {
			return err
		}
		if err := waitConverged(ctx, env.c, env.name, 1); err != nil {
			return err
		}
	}
	return nil
}

// newArtifact writes the order binary with tag appended to path (a
// distinct digest, the same program) and returns its digest.
func (b *bench) newArtifact(path, tag string) (string, error) {
	data := append(append([]byte(nil), b.order...), "\nslipway bench artifact: "+tag+"\n"...)
	if err := os.WriteFile(path, data, 0o755); err != nil {
		return "", fmt.Errorf("write artifact %s: %w", tag, err)
	}
	return spec.Digest(path)
}

// writeSpec writes slipway.yaml with the artifact labelled version
// (pinned to digest, when given) and returns its path and text.
func (b *bench) writeSpec(version, digest string) (string, string, error) {
	path := filepath.Join(b.dir, "slipway.yaml")
	text := appSpec(version, digest)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", "", fmt.Errorf("write spec: %w", err)
	}
	return path, text, nil
}

// cli runs one slipway command against the server.
func (b *bench) cli(ctx context.Context, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, cliTimeout)
	defer cancel()
	cmd := b.srv.Command(ctx, b.bin, args...)
	cmd.Env = append(cmd.Env, "SLIPWAY_ENV=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("slipway %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// upload sends an artifact to the server, as `slipway apply` does
// before it sends the spec.
func (b *bench) upload(ctx context.Context, path, digest string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	defer f.Close()
	if err := b.prod.PutArtifact(ctx, digest, f); err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	return nil
}

// settle waits quiet with nothing in flight, and returns prod's last
// event, read before the pause: every event of the measured change comes
// after it.
func (b *bench) settle(ctx context.Context, quiet time.Duration) (int64, error) {
	for {
		evs, err := b.prod.Events(ctx, b.prodSeq, "", 1000)
		if err != nil {
			return 0, fmt.Errorf("list prod's events: %w", err)
		}
		if len(evs) > 0 {
			b.prodSeq = evs[len(evs)-1].Seq
		}
		if len(evs) < 1000 {
			break
		}
	}
	return b.prodSeq, benchkit.Sleep(ctx, quiet)
}

// events lists prod's events after seq (all of them: operation events
// name no service).
func (b *bench) events(ctx context.Context, after int64) ([]api.Event, error) {
	evs, err := b.prod.Events(ctx, after, "", 1000)
	if err != nil {
		return nil, fmt.Errorf("list prod's events: %w", err)
	}
	return evs, nil
}

// waitConverged waits until the service in env runs revision rev and
// nothing else: ready, stable, one ready instance of rev, the old one
// stopped.
func waitConverged(ctx context.Context, c *client.Client, env string, rev int) error {
	what := fmt.Sprintf("%s in %s to run revision %d alone", service, env, rev)
	_, err := benchkit.Poll(ctx, what, waitTimeout, pollEvery, func(ctx context.Context) (bool, string, error) {
		svc, err := c.Service(ctx, service)
		if err != nil {
			return false, err.Error(), nil
		}
		seen := fmt.Sprintf("revision %d, stable %d, %s, %d instances", svc.Revision, svc.Stable, svc.Phase, len(svc.Instances))
		if svc.Phase == "Failed" {
			return false, "", errors.New(seen + ": " + svc.Message)
		}
		ok := svc.Revision == rev && svc.Stable == rev && svc.Phase == "Ready" &&
			len(svc.Instances) == 1 && svc.Instances[0].Revision == rev && svc.Instances[0].Ready
		return ok, seen, nil
	})
	return err
}

// stage is the pipeline's stage of an environment.
func (b *bench) stage(ctx context.Context, env string) (api.Stage, error) {
	p, err := b.prod.Pipeline(ctx, service)
	if err != nil {
		return api.Stage{}, err
	}
	for _, s := range p.Stages {
		if s.Env == env {
			return s, nil
		}
	}
	return api.Stage{}, fmt.Errorf("pipeline of %s has no stage %s", service, env)
}

// waitPromotion waits until the latest promotion into env is of version
// and check says it is where it should be; a failed promotion ends the
// wait with its reason.
func (b *bench) waitPromotion(ctx context.Context, env, version, what string, check func(api.Promotion) bool) (api.Promotion, error) {
	var got api.Promotion
	_, err := benchkit.Poll(ctx, what, waitTimeout, pollEvery, func(ctx context.Context) (bool, string, error) {
		s, err := b.stage(ctx, env)
		if err != nil {
			return false, err.Error(), nil
		}
		p := s.Promotion
		if p == nil || p.Version != version {
			return false, fmt.Sprintf("%s runs %s, no promotion of %s yet", env, s.Version, version), nil
		}
		if p.State == "Failed" {
			return false, "", fmt.Errorf("promotion %d of %s into %s failed: %s", p.ID, version, env, p.Reason)
		}
		got = *p
		return check(*p), fmt.Sprintf("promotion %d %s: %s", p.ID, p.State, p.Reason), nil
	})
	return got, err
}
