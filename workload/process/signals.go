package process

import (
	"os"
	"os/signal"
	"syscall"
)

// sentSignals are the signals Slipway sends to instances: the stop
// signal, an interrupt, and those a config may name (spec.ConfigSignals).
var sentSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}

// init lets instances receive the signals Slipway sends them even when the
// program was started with them ignored (nohup ignores SIGHUP, some
// supervisors more): an ignored signal stays ignored across exec, and a
// shell may not even trap a signal ignored on entry, so an instance of a
// server started by nohup would never reload its config. A signal the Go
// runtime handles is reset to its default in a child; one it was started
// ignoring is left ignored. So each such signal is handled here, into a
// channel nobody reads: the program goes on ignoring it in effect, and
// its children start with the default.
func init() {
	var ignored []os.Signal
	for _, s := range sentSignals {
		if signal.Ignored(s) {
			ignored = append(ignored, s)
		}
	}
	if len(ignored) > 0 {
		signal.Notify(make(chan os.Signal, 1), ignored...)
	}
}
