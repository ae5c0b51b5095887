package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
	"github.com/slipway-dev/slipway/workload/process"
)

// adoptAll writes, in every restored environment's instances folder, the
// adoption record of each instance process running from the source's
// (adoptEnv).
func adoptAll(ctx context.Context, dir string, rep *Report, now time.Time) error {
	rep.Adopted, rep.Strays, rep.Gone = map[string]int{}, map[string]int{}, map[string]int{}
	for _, db := range rep.Manifest.Databases {
		if err := adoptEnv(ctx, dir, db, rep, now); err != nil {
			return fmt.Errorf("restore: environment %s: %w", db.Env, err)
		}
	}
	return nil
}

// adoptEnv adopts one environment's instances. A record whose pid still
// runs with its start time keeps that process; one without (written
// Pending, or the process replaced after the backup) gets the process
// found running in its working directory, if any: as the driver finds
// the orphan of a crash mid-start. A process in the source folder that no
// record names is adopted too, so that the restored server's sweep stops
// it rather than leaving it running unseen.
func adoptEnv(ctx context.Context, dir string, db Database, rep *Report, now time.Time) error {
	records, err := instanceRecords(ctx, filepath.Join(dir, filepath.FromSlash(db.Path)))
	if err != nil {
		return err
	}
	src := filepath.Join(rep.Manifest.Source, filepath.FromSlash(instancesDir(db.Path)))
	found, err := process.FindRunning(src)
	if err != nil {
		return fmt.Errorf("find instances running from %s: %w", src, err)
	}
	byID := map[string]process.Running{}
	for _, r := range found {
		byID[r.ID] = r
	}
	dst := filepath.Join(dir, filepath.FromSlash(instancesDir(db.Path)))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, in := range records {
		r, ok := byID[in.ID]
		delete(byID, in.ID)
		if process.Alive(in.PID, in.StartTime) {
			r, ok = process.Running{ID: in.ID, PID: in.PID, StartTime: in.StartTime}, true
		}
		if !ok {
			rep.Gone[db.Env]++
			continue
		}
		if err := process.Adopt(dst, r, now); err != nil {
			return fmt.Errorf("adopt instance %s: %w", in.ID, err)
		}
		rep.Adopted[db.Env]++
	}
	for _, r := range byID {
		if err := process.Adopt(dst, r, now); err != nil {
			return fmt.Errorf("adopt stray instance %s: %w", r.ID, err)
		}
		rep.Strays[db.Env]++
	}
	return nil
}

// instanceRecords reads every instance record of the database at path.
func instanceRecords(ctx context.Context, path string) ([]store.Instance, error) {
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []store.Instance
	err = db.View(ctx, func(tx store.Tx) error {
		out, err = tx.ListInstances("")
		return err
	})
	return out, err
}
