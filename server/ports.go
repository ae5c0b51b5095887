package server

import (
	"fmt"
	"net"
)

// freePorts asks the kernel for a free loopback port.
type freePorts struct{}

// Allocate returns a port nobody listens on right now.
func (freePorts) Allocate() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
