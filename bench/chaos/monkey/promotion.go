package monkey

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// setupPipeline applies the pipeline's spec to dev and prod.
func (b *bench) setupPipeline(ctx context.Context) error {
	file := filepath.Join(b.specDir, "slipway.yaml")
	if err := os.WriteFile(file, []byte(pipelineSpec), 0o644); err != nil {
		return err
	}
	for _, env := range []string{"dev", "prod"} {
		if _, err := b.srv.cli(ctx, 70*time.Second, "apply", "-f", file, "--env", env, "--wait", "--timeout", "60s"); err != nil {
			return err
		}
	}
	return nil
}

// promotionStarted is how promote says which promotion it started.
var promotionStarted = regexp.MustCompile(`promotion (\d+):`)

// startPromotion pushes version n (the order binary with a label
// appended: a digest of its own), deploys it to dev and promotes it to
// prod, returning the promotion's id.
func (b *bench) startPromotion(ctx context.Context, n int) (int64, error) {
	bin, err := os.ReadFile(b.cfg.Order)
	if err != nil {
		return 0, err
	}
	version := fmt.Sprintf("v%d", n)
	file := filepath.Join(b.specDir, "order-"+version)
	if err := os.WriteFile(file, append(bin, "\nchaos "+version+"\n"...), 0o755); err != nil {
		return 0, err
	}
	defer os.Remove(file)
	steps := [][]string{
		{"artifact", "push", file, "--service", "shop", "--version", version},
		{"deploy", "shop", "--version", version, "--env", "dev", "--wait", "--timeout", "60s"},
	}
	for _, args := range steps {
		if _, err := b.srv.cli(ctx, 70*time.Second, args...); err != nil {
			return 0, err
		}
	}
	out, err := b.srv.cli(ctx, 10*time.Second, "promote", "shop", "--from", "dev", "--to", "prod")
	if err != nil {
		return 0, err
	}
	m := promotionStarted.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("promote started no promotion: %s", out)
	}
	return strconv.ParseInt(m[1], 10, 64)
}

// approve approves the promotion into prod; an error (nothing waits for
// an approval) is of no interest.
func (b *bench) approve(ctx context.Context) {
	_, _ = b.srv.cli(ctx, 10*time.Second, "approve", "shop", "--env", "prod", "--by", "chaos")
}

// promotionState is the state of promotion id into prod, "" while it is
// not the latest there or cannot be read.
func (b *bench) promotionState(ctx context.Context, id int64) string {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	pl, err := b.srv.client.Pipeline(cctx, "shop")
	if err != nil {
		return ""
	}
	for _, st := range pl.Stages {
		if st.Env == "prod" && st.Promotion != nil && st.Promotion.ID == id {
			return st.Promotion.State
		}
	}
	return ""
}

// promotionTerminal reports whether a promotion's state is final.
func promotionTerminal(state string) bool {
	return state == "Succeeded" || state == "Failed" || state == "Cancelled"
}
