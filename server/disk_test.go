package server

import (
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

func TestDecideDisk(t *testing.T) {
	const gib = 1 << 30
	at := func(freePct float64) diskSpace { return diskSpace{free: uint64(freePct * gib), total: 100 * gib} }
	for _, c := range []struct {
		name    string
		low     bool
		d       diskSpace
		warn    float64
		wantLow bool
		step    diskStep
	}{
		{"plenty of space", false, at(50), 10, false, diskQuiet},
		{"just at the threshold is not low", false, at(10), 10, false, diskQuiet},
		{"below the threshold warns", false, at(9.9), 10, true, diskLow},
		{"still low: once per spell", true, at(5), 10, true, diskQuiet},
		{"back at the threshold: within the margin, still low", true, at(10), 10, true, diskQuiet},
		{"just under the margin: still low", true, at(11.9), 10, true, diskQuiet},
		{"threshold plus the margin recovers", true, at(12), 10, false, diskRecovered},
		{"within the margin, never low: quiet", false, at(11), 10, false, diskQuiet},
		{"warning off ends a spell quietly", true, at(1), 0, false, diskQuiet},
		{"an empty reading decides nothing", false, diskSpace{}, 10, false, diskQuiet},
		{"full disk", false, diskSpace{free: 0, total: 100 * gib}, 10, true, diskLow},
	} {
		gotLow, step := decideDisk(c.low, c.d, c.warn)
		if gotLow != c.wantLow || step != c.step {
			t.Errorf("%s: got low %v step %d, want low %v step %d", c.name, gotLow, step, c.wantLow, c.step)
		}
	}
}

// TestReadDiskMatchesDf reads the free space of a real data folder and
// compares it with df's: the same filesystem size, and free space close
// (other processes write meanwhile).
func TestReadDiskMatchesDf(t *testing.T) {
	dir := t.TempDir()
	d, err := readDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.total == 0 || d.free > d.total {
		t.Fatalf("read %+v: want free <= total, total > 0", d)
	}
	out, err := exec.Command("df", "-B1", "--output=avail,size", dir).Output()
	if err != nil {
		t.Fatalf("df (coreutils): %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Fields(lines[len(lines)-1])
	avail, err1 := strconv.ParseUint(f[0], 10, 64)
	size, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("df said %q", out)
	}
	if size != d.total {
		t.Errorf("total %d bytes, df says %d", d.total, size)
	}
	if diff := int64(avail) - int64(d.free); diff > int64(size/100) || -diff > int64(size/100) {
		t.Errorf("free %d bytes, df says %d: more than 1%% apart", d.free, avail)
	}
	if _, err := readDisk(dir + "/missing"); err == nil || !strings.Contains(err.Error(), "statfs") {
		t.Errorf("a missing folder read %v, want a statfs error", err)
	}
}

// TestCheckDiskWritesOncePerSpell checks the real data folder with
// thresholds either side of its free share: one server.disk.low into the
// hub's log, nothing more while low, then one server.disk.recovered.
func TestCheckDiskWritesOncePerSpell(t *testing.T) {
	cfg := Default()
	cfg.DataDir = t.TempDir()
	s := &Server{cfg: cfg}
	p := &parts{name: "default", store: store.NewNotifier(store.NewMemory())}
	d, err := readDisk(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if d.freePercent() < 3 || d.freePercent() > 97 {
		t.Skipf("the test folder's filesystem is %.1f%% free: no threshold either side with the margin", d.freePercent())
	}
	ctx := context.Background()
	s.cfg.DiskWarnFree = d.freePercent() + 1 // low now
	low := s.checkDisk(ctx, p, false)
	low = s.checkDisk(ctx, p, low)
	s.cfg.DiskWarnFree = d.freePercent() - diskMargin - 1 // recovered now
	low = s.checkDisk(ctx, p, low)
	if low {
		t.Error("still low after the threshold went below the free share")
	}
	var evs []store.Event
	if err := p.store.View(ctx, func(tx store.Tx) error { evs, err = tx.ListEvents(0, "", 0); return err }); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Type != store.EventDiskLow || evs[1].Type != store.EventDiskRecovered {
		t.Fatalf("events %v, want one %s then one %s", evs, store.EventDiskLow, store.EventDiskRecovered)
	}
	var data store.DiskData
	if err := json.Unmarshal(evs[0].Data, &data); err != nil || data.Path != cfg.DataDir || data.TotalBytes != d.total || evs[0].By == "" {
		t.Errorf("low event %+v data %+v (%v): want the folder, its size and a By", evs[0], data, err)
	}
}
