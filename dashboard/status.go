package dashboard

import (
	"fmt"

	"github.com/slipway-dev/slipway/api"
)

// status is a state in words with a class for its colour: the words
// carry the meaning, the colour only repeats it.
type status struct {
	Text  string
	Class string // ok, busy, wait, bad, idle
}

// stateOf says where a service stands: steady, progressing, paused,
// waiting for approval (set by the pipeline), rolled back, failed.
func stateOf(s api.Service) status {
	if c := s.Canary; c != nil {
		switch {
		case c.Outcome == "RolledBack":
			if s.Phase == "Progressing" {
				return status{"rolling back", "bad"}
			}
			return status{"rolled back", "bad"}
		case c.Outcome == "" && c.Paused:
			return status{"paused", "wait"}
		case c.Outcome == "":
			return status{fmt.Sprintf("progressing: step %d of %d", c.Step+1, c.Steps), "busy"}
		}
	}
	if p := s.ParallelRun; p != nil && p.Outcome == "" {
		return status{"parallel run: " + orWord(p.Verdict, "waiting"), "busy"}
	}
	switch s.Phase {
	case "Ready":
		return status{"steady", "ok"}
	case "Progressing":
		return status{"progressing", "busy"}
	case "Failed":
		return status{"failed", "bad"}
	}
	return status{orWord(s.Phase, "unknown"), "idle"}
}

// verdictStatus words an analysis or measurement verdict.
func verdictStatus(v string) status {
	switch v {
	case "Successful", "Pass", "pass", "Passed", "passed", "Successful ":
		return status{"pass", "ok"}
	case "Failed", "Fail", "fail", "failed":
		return status{"fail", "bad"}
	case "Inconclusive", "inconclusive":
		return status{"inconclusive", "wait"}
	case "Running", "Pending", "":
		return status{"running", "busy"}
	case "Error", "error":
		return status{"error", "bad"}
	}
	return status{v, "idle"}
}
