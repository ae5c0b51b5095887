package server

import (
	"fmt"
	"syscall"

	"github.com/slipway-dev/slipway/router/front"
)

// fileReserve is how many file descriptors the router's connections
// never take: the API's listener and connections, the store, the
// instances' pipes and logs, health checks, and the descriptor the
// router takes for a moment to close a connection over its limit.
const fileReserve = 256

// raiseFileLimit raises the soft RLIMIT_NOFILE to the hard limit where it
// is lower, and returns the soft limit in force. Go's runtime raises it
// at start already (and gives children the original back); this only
// acts when it did not, e.g. under a hard limit set by prlimit later.
func raiseFileLimit() (uint64, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, fmt.Errorf("read the open files limit: %w", err)
	}
	if rl.Cur >= rl.Max {
		return rl.Cur, nil
	}
	raised := syscall.Rlimit{Cur: rl.Max, Max: rl.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
		return rl.Cur, fmt.Errorf("raise the open files limit to %d: %w", rl.Max, err)
	}
	return rl.Max, nil
}

// routerLimits are the router's connection limits: cfg's, or, for
// MaxConns 0, half of what the descriptor budget leaves past the
// reserve (each client connection may hold a connection to an instance
// too), at least 1; no bound when the limit is unknown (0).
func routerLimits(cfg Config, softLimit uint64) front.Limits {
	l := front.Limits{MaxConns: cfg.RouterMaxConns, MaxConnsPerIP: cfg.RouterMaxConnsPerIP}
	switch {
	case l.MaxConns < 0:
		l.MaxConns = 0 // no limit, asked for
	case l.MaxConns > 0: // as configured
	case softLimit == 0: // the limit is unknown: no bound
	case softLimit > 2*fileReserve:
		l.MaxConns = int(min((softLimit-fileReserve)/2, 1<<30))
	default:
		l.MaxConns = 1
	}
	return l
}
