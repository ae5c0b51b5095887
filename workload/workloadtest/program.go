package workloadtest

import "github.com/slipway-dev/slipway/workload"

// Behavior is one of the programs the suite runs.
type Behavior int

// The behaviours a Program must provide.
const (
	// Serve runs until stopped and ends promptly on SIGTERM.
	Serve Behavior = iota
	// Fail writes the line "fail stdout" to stdout and "fail stderr" to
	// stderr, then exits with status 3 after about 100ms.
	Fail
	// IgnoreTerm ignores SIGTERM, writes the line "ready" to stdout once
	// it does, and runs until killed.
	IgnoreTerm
	// Count writes the lines "line 1" to "line 50" to stdout and exits 0.
	Count
	// PrintEnv writes its whole environment to stdout, one NAME=value per
	// line, and exits 0.
	PrintEnv
	// PrintUser writes the line "uid=N", N its user ID, and exits 0.
	PrintUser
	// ModifyArtifact runs its artifact (at ArtifactPath, which the suite
	// sets: a script that prints "artifact ran"), then tries to append
	// the line "echo changed" to it, writing "modified" if that worked,
	// then runs it again, and exits 0.
	ModifyArtifact
)

// String names the behaviour.
func (b Behavior) String() string {
	return [...]string{"serve", "fail", "ignore-term", "count", "print-env", "print-user", "modify-artifact"}[b]
}

// Program turns s into the spec of a program that behaves as b. The suite
// has set s.ID, s.Port and s.Env; Program sets Command (and anything else
// its platform needs, e.g. PATH in Env). The suite checks the environment
// against the spec Program returns.
type Program func(b Behavior, s workload.InstanceSpec) workload.InstanceSpec

// Shell is a Program for platforms that have /bin/sh, sleep and env in
// /usr/bin or /bin. It adds PATH to the environment.
func Shell(b Behavior, s workload.InstanceSpec) workload.InstanceSpec {
	env := map[string]string{"PATH": "/usr/bin:/bin"}
	for k, v := range s.Env {
		env[k] = v
	}
	s.Env = env
	switch b {
	case Serve:
		s.Command = []string{"sleep", "60"}
	case Fail:
		s.Command = []string{"sh", "-c", "echo fail stdout; echo fail stderr >&2; sleep 0.1; exit 3"}
	case IgnoreTerm:
		s.Command = []string{"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"}
	case Count:
		s.Command = []string{"sh", "-c", `i=1; while [ $i -le 50 ]; do echo "line $i"; i=$((i+1)); done`}
	case PrintEnv:
		s.Command = []string{"env"}
	case PrintUser:
		s.Command = []string{"sh", "-c", "echo uid=$(id -u)"}
	case ModifyArtifact:
		a := "./" + s.ArtifactPath
		s.Command = []string{"sh", "-c", a + `; echo "echo changed" >> ` + a + " && echo modified; " + a}
	}
	return s
}
