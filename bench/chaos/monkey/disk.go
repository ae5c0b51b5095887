package monkey

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// diskSlack is the tmpfs's room beyond the artifact (the order binary):
// the database, instance records and logs.
const diskSlack = 6 << 20

// artifactCopies is how many copies of the artifact the data folder
// holds at most: the store's, and one per instance (each instance runs a
// read-only copy of its own), with a rolling update's surge.
const artifactCopies = 5

// DiskFull runs a server whose data folder is on a small tmpfs it mounts
// (root only) and unmounts: with a rolling service running, it fills the
// disk until writes fail, applies a new version (the server must refuse
// or fail it, and say why, and stay up), frees the space, then lets the
// version roll out. Nothing committed before may be lost (every event is
// still there), and the invariants must hold after. What happened goes
// to c.DiskFull, broken invariants to c.Violations.
func DiskFull(ctx context.Context, cfg Config, c *Counts) error {
	cfg = cfg.withDefaults()
	mnt := filepath.Join(cfg.Dir, "full")
	if err := mountTmpfs(mnt, cfg.Order); err != nil {
		return err
	}
	defer unmount(mnt)
	b := &bench{cfg: cfg, strategy: Rolling, data: filepath.Join(mnt, "data"), specDir: filepath.Join(cfg.Dir, "full-spec")}
	if err := b.prepare(); err != nil {
		return err
	}
	var err error
	if b.srv, err = startServer(ctx, cfg.Slipway, b.data, b.router); err != nil {
		return err
	}
	defer b.close()
	if _, err := b.apply(ctx, 1, true); err != nil {
		return err
	}
	before, err := b.srv.client.Events(ctx, 0, "", 0)
	if err != nil {
		return err
	}
	filler := filepath.Join(mnt, "filler")
	n, err := fill(filler)
	if err != nil {
		return err
	}
	c.DiskFull = append(c.DiskFull, fmt.Sprintf("filled the %s tmpfs with %d KiB until writes failed", mnt, n>>10))
	b.onFullDisk(ctx, c)
	if err := os.Remove(filler); err != nil {
		return err
	}
	c.DiskFull = append(c.DiskFull, "space freed")
	return b.afterFullDisk(ctx, c, before)
}

// onFullDisk applies v2 on the full disk and records what the server
// said, and whether it stayed up.
func (b *bench) onFullDisk(ctx context.Context, c *Counts) {
	op, err := b.apply(ctx, 2, false)
	if err != nil {
		c.DiskFull = append(c.DiskFull, "apply v2: refused: "+firstLine(err.Error()))
	} else {
		c.DiskFull = append(c.DiskFull, fmt.Sprintf("apply v2: accepted as operation %d", op))
	}
	time.Sleep(3 * time.Second)
	if !b.srv.alive() {
		c.Violations = append(c.Violations, "full disk: the server died:\n"+tail(b.srv.out.String(), 10))
		return
	}
	if _, err := b.srv.client.Services(ctx); err != nil {
		c.Violations = append(c.Violations, "full disk: the server does not answer reads: "+err.Error())
	}
	c.DiskFull = append(c.DiskFull, "the server stayed up and answered reads")
	b.restartOnFullDisk(ctx, c)
}

// restartOnFullDisk kills the server -9 and starts it again on the full
// disk: it must come up (its reads need no room) or say clearly why not.
func (b *bench) restartOnFullDisk(ctx context.Context, c *Counts) {
	b.srv.kill()
	c.Kills++
	srv, err := startServer(ctx, b.cfg.Slipway, b.data, b.router)
	if err != nil {
		c.Violations = append(c.Violations, "full disk: a server restarted on the full disk does not start: "+firstLine(lastLine(err.Error())))
		return
	}
	b.srv = srv
	c.DiskFull = append(c.DiskFull, "killed -9 and restarted on the full disk: it came up")
}

// afterFullDisk lets v2 roll out once space is back, then checks that
// every event from before is still there and the invariants hold.
func (b *bench) afterFullDisk(ctx context.Context, c *Counts, before []api.Event) error {
	if b.srv == nil || !b.srv.alive() {
		var err error
		if b.srv, err = startServer(ctx, b.cfg.Slipway, b.data, b.router); err != nil {
			return err
		}
	}
	if ops, err := b.srv.client.Operations(ctx, true); err == nil {
		for _, op := range ops {
			b.finish(ctx, op.ID)
		}
	}
	op, err := b.apply(ctx, 2, true)
	switch {
	case err != nil && strings.Contains(err.Error(), "no change"):
		c.DiskFull = append(c.DiskFull, "v2 rolled out once space was back")
	case err != nil:
		c.Violations = append(c.Violations, "full disk: apply v2 once space was back: "+firstLine(err.Error()))
	default:
		c.DiskFull = append(c.DiskFull, fmt.Sprintf("v2 rolled out once space was back (operation %d)", op))
	}
	after, err := b.srv.client.Events(ctx, 0, "", 0)
	if err != nil {
		return err
	}
	if lost := missing(before, after); len(lost) > 0 {
		c.Violations = append(c.Violations, fmt.Sprintf("full disk: %d committed events lost: %v", len(lost), lost))
	}
	for _, v := range checkAll(ctx, b.srv) {
		c.Violations = append(c.Violations, "full disk: "+v)
	}
	return nil
}

// prepare makes the spec folder with the order binary and picks the
// router's address.
func (b *bench) prepare() error {
	if err := os.MkdirAll(filepath.Join(b.specDir, "bin"), 0o755); err != nil {
		return err
	}
	bin, err := os.ReadFile(b.cfg.Order)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(b.specDir, "bin", "order"), bin, 0o755); err != nil {
		return err
	}
	b.router, err = freeAddr()
	return err
}

// mountTmpfs mounts a tmpfs at dir with room for the artifact (in the
// store and copied into each instance: artifactCopies) and diskSlack.
func mountTmpfs(dir, artifact string) error {
	st, err := os.Stat(artifact)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	size := fmt.Sprintf("size=%dk", (st.Size()*artifactCopies+diskSlack)>>10)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, size); err != nil {
		return fmt.Errorf("mount a tmpfs at %s (needs root): %w", dir, err)
	}
	return nil
}

// unmount unmounts the tmpfs, lazily if something still holds it.
func unmount(dir string) {
	if err := syscall.Unmount(dir, 0); err != nil {
		_ = syscall.Unmount(dir, syscall.MNT_DETACH)
	}
}

// fill writes path until the disk is full (to the last byte: smaller
// and smaller writes) and returns how many bytes it wrote.
func fill(path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n int64
	for _, size := range []int{64 << 10, 4 << 10, 512, 1} {
		buf := make([]byte, size)
		for {
			w, err := f.Write(buf)
			n += int64(w)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// missing lists the events of before that after does not hold.
func missing(before, after []api.Event) []string {
	have := map[int64]string{}
	for _, ev := range after {
		have[ev.Seq] = ev.Type
	}
	var out []string
	for _, ev := range before {
		if have[ev.Seq] != ev.Type {
			out = append(out, fmt.Sprintf("%d %s", ev.Seq, ev.Type))
		}
	}
	return out
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
