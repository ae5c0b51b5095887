//go:build !linux

package promtest

import "syscall"

// sysProcAttr sets nothing: only Linux can tie a child's life to ours.
func sysProcAttr() *syscall.SysProcAttr { return nil }
