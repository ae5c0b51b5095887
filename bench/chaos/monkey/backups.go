package monkey

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/backup"
)

// pendingBackup is a backup taken through the API while a rollout runs,
// which the kill that follows may cut.
type pendingBackup struct {
	done chan struct{}
	buf  bytes.Buffer
	err  error
}

// startBackup asks the server for a backup in the background.
func (b *bench) startBackup(ctx context.Context) *pendingBackup {
	p := &pendingBackup{done: make(chan struct{})}
	srv := b.srv
	go func() {
		defer close(p.done)
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, p.err = srv.client.Backup(cctx, &p.buf)
	}()
	return p
}

// checkBackup waits for the backup; a whole one is restored into a
// scratch folder (no server runs there) and must pass SQLite's checks and
// the store's invariants. A backup the kill cut short counts as cut: the
// CLI never keeps one.
func (b *bench) checkBackup(ctx context.Context, p *pendingBackup, c *Counts) {
	<-p.done
	if p.err != nil {
		c.BackupsCut++
		return
	}
	c.Backups++
	dir := filepath.Join(b.cfg.Dir, fmt.Sprintf("restore-%d", b.cfg.Rand.Int64()))
	defer os.RemoveAll(dir)
	rep, err := backup.Restore(ctx, bytes.NewReader(p.buf.Bytes()), dir, time.Now())
	if err != nil {
		c.Violations = append(c.Violations, fmt.Sprintf("%s: a backup taken mid-rollout does not restore: %v", b.strategy, err))
		return
	}
	for _, pr := range rep.Problems {
		c.Violations = append(c.Violations, fmt.Sprintf("%s: a backup taken mid-rollout: %s", b.strategy, pr))
	}
}
