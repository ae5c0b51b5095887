package process

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/slipway-dev/slipway/workload"
	"golang.org/x/sys/unix"
)

// credentialFor decides who s runs as: see serviceCredential, keyed by
// its service (or, without one, its ID) within the Driver's UserScope.
func (d *Driver) credentialFor(s workload.InstanceSpec) (*credential, error) {
	key := s.Service
	if key == "" {
		key = s.ID
	}
	return serviceCredential(d.users, d.opts.UserScope, key, s.User)
}

// serviceCredential decides who runs things of the service key in scope.
// Nil means the server's own user: a server that is not root cannot run
// anything as another user. A root server runs them as user when the
// spec names one ("root" or "0" is the only way to get root), else as the
// dynamic user of scope/key.
func serviceCredential(users *Users, scope, key, user string) (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if user != "" {
		uid, gid, err := ParseUser(user)
		if err != nil {
			return nil, err
		}
		return &credential{UID: uid, GID: gid}, nil
	}
	if scope != "" {
		key = scope + "/" + key
	}
	uid, err := users.Allocate(key)
	if err != nil {
		return nil, err
	}
	return &credential{UID: uid, GID: uid}, nil
}

// setCredential makes cmd's child switch to c (no supplementary groups)
// before it executes anything. Nil c leaves the server's user.
func setCredential(cmd *exec.Cmd, c *credential) {
	if c == nil {
		return
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{
		Uid: uint32(c.UID), Gid: uint32(c.GID), Groups: []uint32{},
	}
}

// InstanceMount is where, when the server is root, an instance sees its
// own directory, in a mount namespace of its own: its working directory
// is InstanceMount/work, whatever the data folder's path. The data folder
// stays 0700 (and its parents as they are, a home directory 0700 say),
// and a program that uses the absolute path of its working directory
// (getcwd: Python's http.server) still reaches it.
const InstanceMount = "/run/slipway/instance"

// init keeps the program's main goroutine on the main thread for good, so
// that no other goroutine ever runs there: a goroutine of startConfined or
// startAs that locked the main thread would leave it, when it ends, parked
// for ever in an instance's mount namespace and working directory (Go
// cannot end the main thread), and /proc/PID/cwd of the server would then
// name an instance's directory.
func init() {
	runtime.LockOSThread()
}

// startConfined starts cmd from an OS thread of its own that first takes
// what the child must not have, since Go cannot run code in the child
// between fork and exec: a child inherits its thread's mount namespace and
// current directory (see InstanceMount), no_new_privs, and the capability
// bounding, inheritable and ambient sets. The thread is never unlocked, so
// it ends with its goroutine instead of running other Go code (and the Go
// runtime starts no thread from it).
func startConfined(cmd *exec.Cmd, dir string, c *credential, warn func(error)) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := confineThread(dir, c, warn); err != nil {
			errc <- err
			return
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

// confineThread changes the calling (locked) thread as startConfined says.
// An instance that runs as root by its spec keeps its capabilities.
func confineThread(dir string, c *credential, warn func(error)) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare fs: %w", err)
	}
	if err := enterDir(dir, c != nil, warn); err != nil {
		return err
	}
	return dropPrivileges(c)
}

// dropPrivileges sets no_new_privs on the calling (locked) thread and,
// when the child changes to a user c that is not root, empties its
// capability sets (dropCapabilities). A child that runs as root by its
// spec keeps its capabilities; one that stays the server's user (nil c:
// a server that is not root) has none to drop.
func dropPrivileges(c *credential) error {
	if c != nil && c.root() {
		return nil
	}
	if err := rawPrctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if c == nil {
		return nil // not root: nothing to drop
	}
	return dropCapabilities()
}

// dropCapabilities empties the thread's bounding, ambient and inheritable
// sets. Its permitted and effective sets stay (the child needs them to
// change user); the change of user to a non-root one clears them in the
// child. Every call is raw (no_new_privs' too: rawPrctl): none blocks, and
// each of the ~45 that went through the runtime's syscall state could
// wait for a P on its way out. With lastCap read once per capability, that
// made this 1.5-3 ms of every instance's start on a busy server (a cold
// start's included); now ~0.1 ms.
func dropCapabilities() error {
	for c := 0; c <= lastCap(); c++ {
		if err := rawPrctl(unix.PR_CAPBSET_DROP, uintptr(c), 0); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	if err := rawPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := rawCap(unix.SYS_CAPGET, &hdr, &data); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := rawCap(unix.SYS_CAPSET, &hdr, &data); err != nil {
		return fmt.Errorf("clear inheritable capabilities: %w", err)
	}
	return nil
}

// rawPrctl is prctl(option, arg2, arg3) without the runtime's syscall
// state: for options that never block.
func rawPrctl(option int, arg2, arg3 uintptr) error {
	if _, _, errno := unix.RawSyscall6(unix.SYS_PRCTL, uintptr(option), arg2, arg3, 0, 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// rawCap is capget or capset (trap) of the calling thread, raw as
// rawPrctl.
func rawCap(trap uintptr, hdr *unix.CapUserHeader, data *[2]unix.CapUserData) error {
	if _, _, errno := unix.RawSyscall(trap, uintptr(unsafe.Pointer(hdr)), uintptr(unsafe.Pointer(&data[0])), 0); errno != 0 {
		return errno
	}
	return nil
}

// lastCap is the highest capability the kernel knows, read once (it was
// read again for each capability, 40-odd times per start).
var lastCap = sync.OnceValue(func() int {
	data, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return 63
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 63
	}
	return n
})

// enterDir makes the thread's current directory the instance's work
// directory: InstanceMount/work in a mount namespace of its own when
// mount is set (a root server) and that works, else (warned) its real
// path.
func enterDir(dir string, mount bool, warn func(error)) error {
	if mount {
		err := mountInstance(dir)
		if err == nil {
			return nil
		}
		warn(err)
	}
	if err := unix.Chdir(filepath.Join(dir, "work")); err != nil {
		return fmt.Errorf("enter work dir: %w", err)
	}
	return nil
}

// traversable lets every user pass through dir (x for group and others),
// as the instance's user must to reach InstanceMount under it. MkdirAll
// gives the parents it creates the mode it is given, so /run/slipway,
// made first by a root server's runtime folder (0700) when no system
// socket had made it 0755, kept every instance out of its own directory
// ("permission denied" entering its work dir).
func traversable(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if m := fi.Mode().Perm(); m&0o011 != 0o011 {
		return os.Chmod(dir, m|0o011)
	}
	return nil
}

// mountInstance moves the thread to a new mount namespace, in which dir is
// bound at InstanceMount, and enters InstanceMount/work. Mounts the host
// makes later still reach the instance (slave); its own reach nobody.
func mountInstance(dir string) error {
	if err := os.MkdirAll(InstanceMount, 0o755); err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	if err := traversable(filepath.Dir(InstanceMount)); err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("none", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts slave: %w", err)
	}
	if err := unix.Mount(dir, InstanceMount, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind instance directory: %w", err)
	}
	if err := unix.Chdir(filepath.Join(InstanceMount, "work")); err != nil {
		return fmt.Errorf("enter work dir: %w", err)
	}
	return nil
}
