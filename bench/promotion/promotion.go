package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// promotion measures one promotion into prod. Untimed: push a new
// version, deploy it to staging and wait until staging runs it alone,
// promote it and wait until the promotion waits for approval. Timed:
// the approval, until prod runs the version.
func (b *bench) promotion(ctx context.Context, round int, quiet time.Duration) (timeline, error) {
	version := fmt.Sprintf("p%d", round)
	if err := b.toStaging(ctx, version); err != nil {
		return timeline{}, err
	}
	if err := b.cli(ctx, "promote", service, "--from", "staging", "--to", "prod"); err != nil {
		return timeline{}, err
	}
	_, err := b.waitPromotion(ctx, "prod", version, "promotion of "+version+" into prod to wait for approval", func(p api.Promotion) bool {
		return p.State == "Waiting" && len(p.Gates) == 1 && !p.Gates[0].StartedAt.IsZero()
	})
	if err != nil {
		return timeline{}, err
	}
	after, err := b.settle(ctx, quiet)
	if err != nil {
		return timeline{}, err
	}
	t := timeline{sent: time.Now()}
	approved, err := b.prod.Approve(ctx, service, api.ApproveRequest{By: "bench"})
	t.answered = time.Now()
	if err != nil {
		return t, fmt.Errorf("approve %s into prod: %w", version, err)
	}
	return b.promotionTimeline(ctx, t, approved.ID, version, after)
}

// toStaging pushes version (a new file) and deploys it to staging, and
// waits until staging runs it alone.
func (b *bench) toStaging(ctx context.Context, version string) error {
	file := filepath.Join(b.dir, "versions", version)
	if _, err := b.newArtifact(file, "promotion "+version); err != nil {
		return err
	}
	if err := b.cli(ctx, "artifact", "push", file, "--service", service, "--version", version); err != nil {
		return err
	}
	if err := b.cli(ctx, "deploy", service, "--version", version, "--env", "staging"); err != nil {
		return err
	}
	p, err := b.waitPromotion(ctx, "staging", version, "deploy of "+version+" into staging", func(p api.Promotion) bool {
		return p.State == "Succeeded"
	})
	if err != nil {
		return err
	}
	return waitConverged(ctx, b.staging, "staging", p.Revision)
}

// promotionTimeline waits, hands off first, until the approved promotion
// has ended and prod runs its revision alone, then reads its times.
func (b *bench) promotionTimeline(ctx context.Context, t timeline, id int64, version string, after int64) (timeline, error) {
	if err := benchkit.Sleep(ctx, handsOff); err != nil {
		return t, err
	}
	p, err := b.waitPromotion(ctx, "prod", version, fmt.Sprintf("promotion %d of %s into prod to succeed", id, version), func(p api.Promotion) bool {
		return p.ID == id && p.State == "Succeeded"
	})
	if err != nil {
		return t, err
	}
	if err := waitConverged(ctx, b.prod, "prod", p.Revision); err != nil {
		return t, err
	}
	if len(p.Gates) != 1 || p.Operation == 0 {
		return t, fmt.Errorf("promotion %d: %d gates, operation %d: want one gate and a deploy operation", id, len(p.Gates), p.Operation)
	}
	op, err := b.prod.Operation(ctx, p.Operation)
	if err != nil {
		return t, fmt.Errorf("read operation %d in prod: %w", p.Operation, err)
	}
	t.operation, t.revision = op.ID, p.Revision
	t.approved, t.gatesPassed, t.opCreated, t.finished = p.Gates[0].EndedAt, p.GatesPassedAt, op.CreatedAt, p.FinishedAt
	evs, err := b.events(ctx, after)
	if err != nil {
		return t, err
	}
	return t, t.fromEvents(evs)
}
