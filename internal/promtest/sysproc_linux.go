package promtest

import "syscall"

// sysProcAttr has the kernel kill Prometheus if the test binary dies
// without running its cleanups (a panic, a -timeout), so no server lingers.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
