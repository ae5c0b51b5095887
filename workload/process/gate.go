package process

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// StartFunc returns how to start a command run on behalf of service in
// scope (an environment) outside its instances, a promotion gate's tests
// say: whoever may apply a spec may write one, so on a root server it
// must not run as root. The command runs as the service's instances do
// (serviceCredential: the spec's user when set, else the dynamic user of
// scope/service), with no_new_privs and, unless that user is root, no
// capabilities. It gets no mount namespace or cgroup of its own: its
// caller runs it in a process group and kills the group when it ends.
//
// The returned func refuses, with an error naming the directory and the
// user, a command whose directory (cmd.Dir) that user cannot read and
// search, rather than run it as anyone else. On a server that is not root
// the func is nil: the command runs as the server's user.
func (u *Users) StartFunc(scope, service, user string) (func(*exec.Cmd) error, error) {
	c, err := serviceCredential(u, scope, service, user)
	if err != nil {
		return nil, fmt.Errorf("user of service %s: %w", service, err)
	}
	if c == nil {
		return nil, nil
	}
	return func(cmd *exec.Cmd) error { return startAs(cmd, c) }, nil
}

// startAs starts cmd as c from an OS thread of its own with privileges
// dropped (dropPrivileges), once c may enter cmd's directory. The thread
// is never unlocked, so it ends with its goroutine (see startConfined).
func startAs(cmd *exec.Cmd, c *credential) error {
	if err := checkReadable(cmd.Dir, c); err != nil {
		return err
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	setCredential(cmd, c)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := dropPrivileges(c); err != nil {
			errc <- err
			return
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

// checkReadable says why c cannot list and enter dir ("" is the server's
// working directory), if it cannot.
func checkReadable(dir string, c *credential) error {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
		dir = wd
	}
	if !readableBy(dir, c) {
		return fmt.Errorf("directory %s is not readable by uid %d, the service's user that runs it: make it and its parents readable by that user, or name another user: in the spec", dir, c.UID)
	}
	return nil
}

// readableBy reports whether c may search every directory on dir's path
// (as written and as resolved through symlinks) and read and search dir
// itself, by the mode bits (see permits). Root may.
func readableBy(dir string, c *credential) bool {
	if c.root() {
		return true
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	for _, p := range []string{dir, real} {
		for d := filepath.Dir(p); ; d = filepath.Dir(d) {
			if !permits(d, c, 0o1) {
				return false
			}
			if d == "/" || d == "." {
				break
			}
		}
	}
	return permits(real, c, 0o4) && permits(real, c, 0o1)
}
