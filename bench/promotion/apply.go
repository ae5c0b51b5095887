package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// directApply measures the peer: the same change to prod made by an
// apply of the spec with a new artifact file. Untimed: write the file
// where the spec points, digest and upload it. Timed: the apply (the
// request `slipway apply --env prod` sends after its upload), until prod
// runs the new revision.
func (b *bench) directApply(ctx context.Context, round int, quiet time.Duration) (timeline, error) {
	version := fmt.Sprintf("a%d", round)
	artifact := filepath.Join(b.dir, "bin", "order")
	digest, err := b.newArtifact(artifact, "apply "+version)
	if err != nil {
		return timeline{}, err
	}
	if err := b.upload(ctx, artifact, digest); err != nil {
		return timeline{}, err
	}
	file, text, err := b.writeSpec(version, digest)
	if err != nil {
		return timeline{}, err
	}
	after, err := b.settle(ctx, quiet)
	if err != nil {
		return timeline{}, err
	}
	t := timeline{sent: time.Now()}
	resp, err := b.prod.Apply(ctx, api.ApplyRequest{File: file, Spec: text, Dir: b.dir})
	t.answered = time.Now()
	if err != nil {
		return t, fmt.Errorf("apply %s to prod: %w", version, err)
	}
	if resp.Operation == nil || len(resp.Operation.Changes) != 1 {
		return t, fmt.Errorf("apply %s to prod: operation %+v: want one change", version, resp.Operation)
	}
	return b.applyTimeline(ctx, t, *resp.Operation, after)
}

// applyTimeline waits, hands off first, until the apply's operation has
// succeeded and prod runs its revision alone, then reads its times.
func (b *bench) applyTimeline(ctx context.Context, t timeline, op api.Operation, after int64) (timeline, error) {
	if err := benchkit.Sleep(ctx, handsOff); err != nil {
		return t, err
	}
	t.operation, t.revision, t.opCreated = op.ID, op.Changes[0].To, op.CreatedAt
	_, err := benchkit.Poll(ctx, fmt.Sprintf("operation %d in prod to end", op.ID), waitTimeout, pollEvery, func(ctx context.Context) (bool, string, error) {
		got, err := b.prod.Operation(ctx, op.ID)
		switch {
		case err != nil:
			return false, err.Error(), nil
		case got.Terminal && got.State != "Succeeded":
			return false, "", errors.New(got.State + ": " + got.Message)
		}
		return got.Terminal, got.State, nil
	})
	if err != nil {
		return t, err
	}
	if err := waitConverged(ctx, b.prod, "prod", t.revision); err != nil {
		return t, err
	}
	evs, err := b.events(ctx, after)
	if err != nil {
		return t, err
	}
	return t, t.fromEvents(evs)
}
