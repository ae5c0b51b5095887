package testrun

import "testing"

func TestVerdict(t *testing.T) {
	tests := []struct {
		name     string
		stop     stopping
		exitCode int
		state    string
		output   string
		want     Result
	}{
		{"passed", stopping{}, 0, "exit status 0", "ok\n",
			Result{Passed: true, ExitCode: 0, Output: "ok\n", Reason: "exit status 0"}},
		{"failed", stopping{}, 1, "exit status 1", "",
			Result{ExitCode: 1, Reason: "exit status 1"}},
		{"killed by a signal of its own", stopping{}, -1, "signal: segmentation fault", "",
			Result{ExitCode: -1, Reason: "signal: segmentation fault"}},
		{"not found says what", stopping{}, 127, "exit status 127", "sh: 1: ./x.sh: not found\n",
			Result{ExitCode: 127, Output: "sh: 1: ./x.sh: not found\n", Reason: "exit status 127: sh: 1: ./x.sh: not found"}},
		{"not found without a message", stopping{}, 127, "exit status 127", "",
			Result{ExitCode: 127, Reason: "exit status 127"}},
		{"exit 0 after the timeout still fails",
			stopping{timedOut: true, cause: "timed out after 1s", how: "stopped (SIGTERM)"}, 0, "exit status 0", "",
			Result{ExitCode: 0, TimedOut: true, Reason: "timed out after 1s; stopped (SIGTERM)"}},
		{"canceled", stopping{cause: "canceled: context canceled", how: "stopped (SIGTERM)"}, -1, "signal: terminated", "",
			Result{ExitCode: -1, Reason: "canceled: context canceled; stopped (SIGTERM)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newTail(DefaultMaxOutput)
			_, _ = out.Write([]byte(tt.output))
			if got := verdict(tt.stop, tt.exitCode, tt.state, out); got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
