package dashboard

import (
	"fmt"
	"strings"

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
		case waitsForPerson(c):
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

// verdictStatus words an analysis phase (running, successful, failed,
// inconclusive) or a measurement's verdict (pending, pass, fail,
// inconclusive, error), and a parallel run's (waiting, passed, failed).
func verdictStatus(v string) status {
	switch v {
	case "successful", "pass", "passed":
		return status{"pass", "ok"}
	case "failed", "fail":
		return status{"fail", "bad"}
	case "inconclusive":
		return status{"inconclusive", "wait"}
	case "error":
		return status{"error", "bad"}
	case "running", "pending", "waiting", "":
		return status{orWord(v, "running"), "busy"}
	}
	return status{v, "idle"}
}

// waitsForPerson reports whether a canary waits for someone: paused (by
// a person, or by an inconclusive analysis), or at a pause step that
// lasts until promoted.
func waitsForPerson(c *api.Canary) bool {
	return c.Outcome == "" && (c.Paused || strings.HasSuffix(c.StepName, "until promoted"))
}

// pauseReason says why a waiting canary waits.
func pauseReason(c *api.Canary) string {
	if c.Paused {
		return orWord(c.PauseReason, "paused")
	}
	return "a pause step that lasts until promoted"
}
