package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// settle is the quiet before each RSS reading.
const settle = 3 * time.Second

// measureMany starts a fresh server with one service and no flags, reads
// its RSS, then applies -many flags of each shape in turn (the one that
// fits a slipway.yaml first, then the benchmark's) and times the apply,
// its being served, and the RSS after; with the first shape applied, it
// times flag changes as measureOFREP does.
func (b *bench) measureMany(ctx context.Context) (err error) {
	dir := b.ws.Path("many")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make run directory: %w", err)
	}
	b.progressf("memory: starting a server ...")
	srv, err := startServer(ctx, b.ws.Path("slipway"), dir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	if _, err := srv.apply(ctx, "none.yaml", nil, true); err != nil {
		return srv.Annotate(err)
	}
	base, err := b.rssAfterSettle(ctx, srv)
	if err != nil {
		return err
	}
	b.t.add("server RSS, 1 service, no flags", mib(base), "")
	timedChanges := false
	for _, shape := range []flagspec.Shape{flagspec.OneRule, flagspec.Bench} {
		applied, err := b.applyMany(ctx, srv, shape, base)
		if err != nil {
			return srv.Annotate(err)
		}
		if applied && !timedChanges {
			timedChanges = true
			if err := b.measureChanges(ctx, srv, shape.Key(0), b.cfg.manyChanges); err != nil {
				return srv.Annotate(err)
			}
		}
	}
	return nil
}

// applyMany applies -many flags of shape with the CLI and adds its rows;
// it reports whether the CLI took them.
func (b *bench) applyMany(ctx context.Context, srv *server, shape flagspec.Shape, base int64) (bool, error) {
	n := b.cfg.many
	lines := flagspec.Lines(shape, n, false)
	size := len(flagspec.App(srv.services(), lines))
	what := fmt.Sprintf("apply %s flags (%s), %s of YAML", thousands(float64(n)), shape, mib(int64(size)))
	b.progressf("memory: %s ...", what)
	start := time.Now()
	took, err := srv.apply(ctx, "many-"+strings.ReplaceAll(shape.String(), " ", "")+".yaml", lines, false)
	var refused *refusedError
	if errors.As(err, &refused) {
		b.t.add(what, "REFUSED by the CLI "+b.t.note("the CLI: "+oneLine(refused.output, dirOf(srv))), "")
		return false, nil
	}
	if err != nil {
		return false, err
	}
	served, err := srv.waitServed(ctx, shape.Key(n-1), applyTimeout)
	if err != nil {
		return false, err
	}
	b.t.add(what, fmt.Sprintf("CLI %s, served (OFREP answers %s) after %s", ms(took), shape.Key(n-1), ms(served.Sub(start))), "")
	rss, err := b.rssAfterSettle(ctx, srv)
	if err != nil {
		return false, err
	}
	b.t.add(fmt.Sprintf("server RSS, %s flags (%s)", thousands(float64(n)), shape), fmt.Sprintf("%s (+%s over no flags)", mib(rss), mib(rss-base)), "")
	return true, nil
}

// oneLine joins the lines of s with "; ", leaving out dir (the run's
// temporary directory) from paths.
func oneLine(s, dir string) string {
	return strings.Join(strings.Split(strings.ReplaceAll(s, dir, ""), "\n"), "; ")
}

func dirOf(srv *server) string { return srv.dir + string(os.PathSeparator) }

// rssAfterSettle is the server's VmRSS after settle of quiet.
func (b *bench) rssAfterSettle(ctx context.Context, srv *server) (int64, error) {
	if err := benchkit.Sleep(ctx, settle); err != nil {
		return 0, err
	}
	return srv.RSS()
}
