package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// Start starts the instance as a container of s.Image, or returns the
// status of the one already running under s.ID. An ended instance starts
// again in the same directory, appending to its logs. The driver's lock
// is not held while the runtime starts the container (a few hundred
// milliseconds), so Observe and other instances' calls go on meanwhile.
func (d *Driver) Start(ctx context.Context, s workload.InstanceSpec) (workload.Status, error) {
	if err := d.startable(s); err != nil {
		return workload.Status{}, fmt.Errorf("start instance %s: %w", s.ID, err)
	}
	d.mu.Lock()
	inst, err := d.lookup(s.ID)
	switch {
	case errors.Is(err, workload.ErrNotFound):
		inst = &instance{dir: filepath.Join(d.dir, s.ID)}
	case err != nil:
		d.mu.Unlock()
		return workload.Status{}, fmt.Errorf("start instance %s: %w", s.ID, err)
	default:
		d.refresh(inst)
		if inst.rec.Phase != instdir.PhaseEnded {
			defer d.mu.Unlock()
			return inst.status(), nil
		}
	}
	status, err := d.launch(inst, s)
	d.mu.Unlock()
	if err != nil {
		return inst.status(), fmt.Errorf("start instance %s: %w", s.ID, err)
	}
	pid, err := instdir.ReadStarted(ctx, status, func(error) {}) // its monitor warns of nothing
	status.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.abandon(inst)
		d.ended(inst, "start failed: "+err.Error(), d.now())
		return inst.status(), fmt.Errorf("start instance %s: %w", s.ID, err)
	}
	if inst.rec.Phase == instdir.PhaseStarting { // else refresh got there first
		st, _ := process.StartTime(pid) // 0 if already gone: exit.json tells
		inst.rec.Phase, inst.rec.PID, inst.rec.StartTime = instdir.PhaseRunning, pid, st
		d.save(inst)
	}
	return inst.status(), nil
}

// abandon ends what is left of a start that failed: a monitor that said
// nothing in time (stuck, or ctx's deadline passed) may still start the
// container, which would then run while recorded as ended, unseen. Its
// session (the runtime it runs) is killed and the container deleted, as
// the process driver kills a monitor that does not answer. d.mu is held.
func (d *Driver) abandon(inst *instance) {
	if pid := inst.rec.MonitorPID; process.Alive(pid, inst.rec.MonitorStart) {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // its own session and group (Setsid)
	}
	d.deleteContainer(inst.rec.Spec.ID)
}

// startable checks what Start needs before touching anything.
func (d *Driver) startable(s workload.InstanceSpec) error {
	switch {
	case d.runtimeErr != nil:
		return d.runtimeErr
	case os.Geteuid() != 0:
		return ErrNotRoot
	case !validIDs.MatchString(s.ID):
		return fmt.Errorf("invalid instance id %q", s.ID)
	case s.Image == nil || !filepath.IsAbs(s.Image.Rootfs):
		return errors.New("no unpacked image (InstanceSpec.Image.Rootfs)")
	case len(s.Command) == 0 || s.Command[0] == "":
		return errors.New("no command")
	case s.Artifact != "" && !filepath.IsLocal(s.ArtifactPath):
		return fmt.Errorf("artifact path %q is not a relative path inside the instance", s.ArtifactPath)
	}
	if fi, err := os.Stat(s.Image.Rootfs); err != nil || !fi.IsDir() {
		return fmt.Errorf("image root filesystem %s: not a directory", s.Image.Rootfs)
	}
	return nil
}

// launch prepares the instance's directory and bundle, records it
// starting, and starts its monitor; it returns the monitor's status pipe.
// On failure the instance is recorded as ended. d.mu is held.
func (d *Driver) launch(inst *instance, s workload.InstanceSpec) (*os.File, error) {
	cred, err := d.credentialFor(s)
	if err != nil {
		return nil, err
	}
	if err := d.prepare(inst.dir, s, cred); err != nil {
		return nil, err
	}
	// A container of the same ID left in the runtime's state by an
	// earlier run (its monitor killed before it deleted it) would make
	// run fail.
	d.deleteContainer(s.ID)
	inst.rec = record{UID: cred.UID, GID: cred.GID, Record: instdir.Record{Phase: instdir.PhaseStarting, StartedAt: d.now(), Spec: s}}
	if err := writeRecord(inst.dir, inst.rec); err != nil {
		return nil, err
	}
	d.insts[s.ID] = inst
	status, err := d.spawnMonitor(inst)
	if err != nil {
		d.ended(inst, "start failed: "+err.Error(), d.now())
		return nil, err
	}
	return status, nil
}

// prepare lays out the instance's directory: work/ (the instance's own),
// the artifact's copy, the bundle's config.json, the runtime state root;
// it clears what the last run left.
func (d *Driver) prepare(dir string, s workload.InstanceSpec, c credential) error {
	for _, p := range []struct {
		path string
		mode os.FileMode
	}{{d.dir, process.PathMode()}, {d.stateRoot(), 0o700}, {dir, 0o711}, {filepath.Join(dir, bundleDir), 0o700}, {filepath.Join(dir, "work"), 0o700}} {
		if err := os.MkdirAll(p.path, p.mode); err != nil {
			return err
		}
		if err := os.Chmod(p.path, p.mode); err != nil {
			return err
		}
	}
	if err := os.Lchown(filepath.Join(dir, "work"), int(c.UID), int(c.GID)); err != nil {
		return err
	}
	if err := clearRun(dir); err != nil {
		return err
	}
	if err := instdir.PlaceConfigs(dir, s.Configs, int(c.GID)); err != nil {
		return err
	}
	b, err := d.bundleFor(dir, s, c)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(runtimeConfig(b), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, bundleDir, "config.json"), data)
}

// bundleFor decides the container's config for s.
func (d *Driver) bundleFor(dir string, s workload.InstanceSpec, c credential) (bundle, error) {
	workDir := s.Image.WorkingDir
	if workDir == "" || workDir == "/" {
		workDir = DefaultWorkDir
	}
	b := bundle{
		ID: s.ID, Rootfs: s.Image.Rootfs, Args: slices.Clone(s.Command), Env: envList(s.Env),
		UID: c.UID, GID: c.GID, Root: c.UID == 0,
		WorkDir: path.Clean(workDir), Work: filepath.Join(dir, "work"),
		Resources: s.Resources, CgroupsPath: cgroupsPath(s.ID), Swap: d.swapAccounted(),
		NoFile: noFile(),
	}
	if lower := imageDir(s.Image.Rootfs, b.WorkDir); lower != "" {
		b.Lower, b.OverlayWork = lower, filepath.Join(dir, overlayDir)
		if err := os.MkdirAll(b.OverlayWork, 0o700); err != nil {
			return bundle{}, err
		}
	}
	if b.Resources.PIDs <= 0 {
		b.Resources.PIDs = process.DefaultPIDs
	}
	for _, f := range []string{"/etc/resolv.conf", "/etc/hosts"} {
		if _, err := os.Stat(f); err == nil {
			b.HostFiles = append(b.HostFiles, f)
		}
	}
	if s.Artifact != "" {
		dst, err := placeArtifact(dir, s)
		if err != nil {
			return bundle{}, err
		}
		if err := artifactMountpoint(b.Work, s.ArtifactPath, c); err != nil {
			return bundle{}, fmt.Errorf("place artifact: %w", err)
		}
		b.Artifact, b.ArtifactPath = dst, s.ArtifactPath
	}
	if fi, err := os.Stat(filepath.Join(b.Rootfs, configMount)); err == nil && fi.IsDir() {
		// An image unpacked before config mounts existed has no mount
		// point there (the shared root is never written): no config files.
		if err := instdir.MakeConfigDir(dir, int(c.GID)); err != nil {
			return bundle{}, err
		}
		b.Configs = filepath.Join(dir, instdir.ConfigDir)
	}
	vols, err := volumeMounts(b, s.Mounts, c)
	b.Volumes = vols
	return b, err
}

// volumeMounts prepares each volume (the instance user's) and binds it
// at its place: under the working directory (its mount point made in
// the instance's own work folder, as the artifact's), or at an absolute
// path the image has (the shared root filesystem is never written).
func volumeMounts(b bundle, mounts []workload.Mount, c credential) ([]specs.Mount, error) {
	var out []specs.Mount
	for _, m := range mounts {
		if err := workload.PrepareVolume(m.Source, int(c.UID), int(c.GID)); err != nil {
			return nil, err
		}
		dst := path.Clean(m.At)
		if !path.IsAbs(dst) {
			dst = path.Join(b.WorkDir, dst)
		}
		if rel, ok := strings.CutPrefix(dst, b.WorkDir+"/"); ok {
			if err := volumeMountpoint(b.Work, rel, c); err != nil {
				return nil, fmt.Errorf("volume at %s: %w", m.At, err)
			}
		} else if fi, err := os.Stat(filepath.Join(b.Rootfs, dst)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("volume at %s: the image has no folder there; mount it under the working directory (%s) or at a folder the image has", m.At, b.WorkDir)
		}
		out = append(out, specs.Mount{Destination: dst, Type: "bind", Source: m.Source, Options: []string{"rbind", "rw", "nosuid", "nodev"}})
	}
	return out, nil
}

// volumeMountpoint makes work/<rel> an empty folder under plain folders
// of the instance's, replacing (never following) anything else there,
// as artifactMountpoint does; a folder already there is kept (it is
// only a mount point: the volume's files are in the volume).
func volumeMountpoint(work, rel string, c credential) error {
	target := filepath.Join(work, rel)
	if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
		return nil
	}
	if err := artifactMountpoint(work, rel, c); err != nil {
		return err
	}
	if err := os.Remove(target); err != nil {
		return err
	}
	if err := os.Mkdir(target, 0o750); err != nil {
		return err
	}
	return os.Lchown(target, int(c.UID), int(c.GID))
}

// placeArtifact copies the artifact (checked against its digest) to
// dir/artifact/, root's and 0555: a fresh copy per start, mounted
// read-only, so no instance can change what the next one runs.
func placeArtifact(dir string, s workload.InstanceSpec) (string, error) {
	adir := filepath.Join(dir, artifactDir)
	if err := os.RemoveAll(adir); err != nil {
		return "", fmt.Errorf("place artifact: %w", err)
	}
	if err := os.MkdirAll(adir, 0o755); err != nil {
		return "", fmt.Errorf("place artifact: %w", err)
	}
	dst := filepath.Join(adir, "file")
	if err := artifact.CopyFile(s.Artifact, dst, s.ArtifactDigest, 0o555); err != nil {
		return "", fmt.Errorf("place artifact: %w", err)
	}
	return dst, nil
}

// artifactMountpoint makes work/<rel> an empty file, root's, under plain
// directories of the instance's, for the runtime to mount the artifact
// on. The work directory is the instance's: a symlink it left on the way
// would make the runtime create the mount point where it points (inside
// the shared root filesystem), so anything that is not a plain directory
// is replaced, never followed. The instance is not running here.
func artifactMountpoint(work, rel string, c credential) error {
	p := work
	for _, el := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
		if el == "." {
			continue
		}
		p = filepath.Join(p, el)
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
		if err := os.Mkdir(p, 0o700); err != nil {
			return err
		}
		if err := os.Lchown(p, int(c.UID), int(c.GID)); err != nil {
			return err
		}
	}
	target := filepath.Join(work, rel)
	if err := os.RemoveAll(target); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o444)
	if err != nil {
		return err
	}
	return f.Close()
}

// swapAccounted reports whether a memory limit can also cap swap: always
// on v2 (memory.swap.max), on v1 only with swap accounting on.
func (d *Driver) swapAccounted() bool {
	if cgroupV2(d.opts.CgroupRoot) {
		return true
	}
	_, err := os.Stat(filepath.Join(d.opts.CgroupRoot, "memory", "memory.memsw.limit_in_bytes"))
	return err == nil
}

// envList is env as NAME=value lines, sorted.
func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// spawnMonitor starts the instance's monitor, detached (its own session:
// a signal to the server's group or terminal never reaches it), with the
// instance's logs as its stdout and stderr, records its PID (so that a
// server that dies now finds it), and returns the status pipe on which
// it says the container's PID, or why it did not start. d.mu is held.
func (d *Driver) spawnMonitor(inst *instance) (*os.File, error) {
	self := d.opts.Monitor
	if self == "" {
		var err error
		if self, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find own binary for the monitor: %w", err)
		}
	}
	stdout, stderr, err := process.OpenLogs(inst.dir)
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	defer stderr.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	args := monitorArgs{Runtime: d.runtime, Root: d.stateRoot(), Dir: inst.dir, ID: inst.rec.Spec.ID}
	cmd := &exec.Cmd{
		Path: self, Args: args.argv(), Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		Stdout: stdout, Stderr: stderr, ExtraFiles: []*os.File{pw},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("start monitor: %w", err)
	}
	go cmd.Wait() // reap it if it ends while this server runs
	inst.rec.MonitorPID = cmd.Process.Pid
	inst.rec.MonitorStart, _ = process.StartTime(cmd.Process.Pid)
	d.save(inst)
	return pr, nil
}

// maxNoFile is the open files limit instances get, when the server may
// give that many: servers need more than the usual 1024.
const maxNoFile = 65536

// noFile is the open files limit of an instance: maxNoFile, or the
// server's own hard limit when lower (raising it needs a capability the
// server may not have).
func noFile() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 1024
	}
	return min(r.Max, maxNoFile)
}

// imageDir returns the host path of the directory at dir inside the
// image when it is a non-empty directory reached through plain
// directories only, else "". A symlink on the way is refused rather than
// resolved: overlay's lowerdir is a host path, and a link the image made
// could point it at the host's files.
func imageDir(rootfs, dir string) string {
	p := rootfs
	for _, el := range strings.Split(strings.Trim(path.Clean(dir), "/"), "/") {
		if el == "" {
			return ""
		}
		p = filepath.Join(p, el)
		if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
			return ""
		}
	}
	entries, err := os.ReadDir(p)
	if err != nil || len(entries) == 0 {
		return ""
	}
	return p
}
