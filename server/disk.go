package server

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/store"
)

// diskCheckEvery is how often the data folder's free space is read.
const diskCheckEvery = 30 * time.Second

// diskMargin is the hysteresis of the disk warning, in percentage
// points: a folder reported low is reported recovered only once its free
// share is this much above the threshold, so a disk hovering at the
// threshold does not send a pair of events every check.
const diskMargin = 2.0

// diskSpace is a filesystem's free (to unprivileged users, as df's
// "Avail") and total bytes.
type diskSpace struct {
	free, total uint64
}

// freePercent is the free share of the filesystem, 0..100.
func (d diskSpace) freePercent() float64 {
	if d.total == 0 {
		return 100
	}
	return 100 * float64(d.free) / float64(d.total)
}

// readDisk reads the free space of the filesystem that holds dir.
func readDisk(dir string) (diskSpace, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return diskSpace{}, fmt.Errorf("statfs %s: %w", dir, err)
	}
	bs := uint64(st.Bsize)
	return diskSpace{free: st.Bavail * bs, total: st.Blocks * bs}, nil
}

// diskStep is what one check writes.
type diskStep int

const (
	diskQuiet     diskStep = iota // nothing
	diskLow                       // write EventDiskLow
	diskRecovered                 // write EventDiskRecovered
)

// decideDisk moves the disk warning on by one reading: low is whether
// the folder is reported low now. It is pure. warn <= 0 turns the
// warning off (and ends a spell quietly).
func decideDisk(low bool, d diskSpace, warn float64) (nowLow bool, step diskStep) {
	if warn <= 0 || d.total == 0 {
		return false, diskQuiet
	}
	pct := d.freePercent()
	switch {
	case !low && pct < warn:
		return true, diskLow
	case low && pct >= warn+diskMargin:
		return false, diskRecovered
	}
	return low, diskQuiet
}

// watchDisk reads the data folder's free space every diskCheckEvery
// until ctx ends, and writes EventDiskLow into the hub's log p when it
// falls below --disk-warn-free, once, then EventDiskRecovered once it
// is back above it plus diskMargin. A restarted server reports a low
// disk again.
func (s *Server) watchDisk(ctx context.Context, p *parts) {
	if s.cfg.DiskWarnFree <= 0 {
		return
	}
	low := false
	t := time.NewTicker(diskCheckEvery)
	defer t.Stop()
	for {
		low = s.checkDisk(ctx, p, low)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkDisk reads the disk once and writes the event the reading calls
// for; it returns whether the folder is reported low. A reading or a
// write that fails changes nothing (logged): the next check tries again.
func (s *Server) checkDisk(ctx context.Context, p *parts, low bool) bool {
	d, err := readDisk(s.cfg.DataDir)
	if err != nil {
		s.cfg.Logger.Warn("read the data folder's free space", "err", err)
		return low
	}
	next, step := decideDisk(low, d, s.cfg.DiskWarnFree)
	if step == diskQuiet {
		return next
	}
	data := store.DiskData{Path: absPath(s.cfg.DataDir), FreeBytes: d.free, TotalBytes: d.total, WarnPercent: s.cfg.DiskWarnFree}
	typ := store.EventDiskLow
	msg := fmt.Sprintf("data folder %s nearly full: %.1f%% free (%d MiB), below %.1f%%", data.Path, d.freePercent(), d.free>>20, s.cfg.DiskWarnFree)
	if step == diskRecovered {
		typ = store.EventDiskRecovered
		msg = fmt.Sprintf("data folder %s has space again: %.1f%% free (%d MiB)", data.Path, d.freePercent(), d.free>>20)
	}
	raw, err := json.Marshal(data)
	if err == nil {
		err = p.store.Update(ctx, func(tx store.Tx) error {
			_, err := tx.AppendEvent(store.Event{Time: s.cfg.Clock.Now(), Type: typ, Message: msg, By: "server", Data: raw})
			return err
		})
	}
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Warn("record disk event", "err", err)
		}
		return low
	}
	return next
}
