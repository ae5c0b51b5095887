package testrun

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// DefaultMaxOutput is the output kept when Command.MaxOutput is 0.
const DefaultMaxOutput = 64 << 10

// Command is a gate's test command and how to run it.
type Command struct {
	// Run is a shell command line, run with /bin/sh -c.
	Run string
	// Dir is the working directory, usually the one holding the spec file.
	// Empty means the server's working directory.
	Dir string
	// Env is the command's environment (see the package doc), for example
	// SLIPWAY_URL, SLIPWAY_ENVIRONMENT, SLIPWAY_SERVICE, SLIPWAY_VERSION.
	Env map[string]string
	// Timeout bounds the run; it must be positive.
	Timeout time.Duration
	// MaxOutput is how many bytes of output, from the end, are kept;
	// 0 means DefaultMaxOutput.
	MaxOutput int
	// Start, when set, starts the shell's cmd, built as the package doc
	// says (it may set the user to run as, and must keep the rest); nil
	// means cmd.Start, as the server's user. Its error fails the run
	// before it started, with the error as the Reason.
	Start func(cmd *exec.Cmd) error
}

// Result is how a run ended.
type Result struct {
	// Passed is true when the command exited with status 0 in time.
	Passed bool
	// ExitCode is the shell's exit status; -1 when it was killed by a
	// signal or never started.
	ExitCode int
	// TimedOut is true when Command.Timeout passed and the command was
	// stopped.
	TimedOut bool
	// Output is the end of the combined standard output and error (see
	// the package doc).
	Output string
	// Duration is how long Run took.
	Duration time.Duration
	// Reason says in one line why the run passed or failed, for example
	// "exit status 1" or "timed out after 5m0s; killed (SIGKILL) after 2s".
	Reason string
}

// Validate reports every problem with c at once.
func (c Command) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Run) == "" {
		errs = append(errs, errors.New("run: empty command"))
	}
	if strings.ContainsRune(c.Run, 0) {
		errs = append(errs, errors.New("run: must not contain NUL"))
	}
	if strings.ContainsRune(c.Dir, 0) {
		errs = append(errs, errors.New("dir: must not contain NUL"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: must be > 0, got %v", c.Timeout))
	}
	if c.MaxOutput < 0 {
		errs = append(errs, fmt.Errorf("maxOutput: must be >= 0, got %d", c.MaxOutput))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(c.Env[k], 0) {
			errs = append(errs, fmt.Errorf("env %q: invalid name or value", k))
		}
	}
	return errors.Join(errs...)
}

// Run runs c and reports how it ended; see the package doc. It returns
// once the command has ended, or has been stopped for its timeout or for
// ctx, and its output has been read.
func Run(ctx context.Context, c Command) Result {
	start := time.Now()
	res := run(ctx, c)
	res.Duration = time.Since(start)
	return res
}

// run is Run without the timing.
func run(ctx context.Context, c Command) Result {
	if err := c.Validate(); err != nil {
		return notStarted("invalid command: " + oneLine(err.Error()))
	}
	if ctx.Err() != nil {
		return notStarted("canceled before start: " + context.Cause(ctx).Error())
	}
	limit := c.MaxOutput
	if limit == 0 {
		limit = DefaultMaxOutput
	}
	out := newTail(limit)
	p, err := start(c, environ(c.Env), out)
	if err != nil {
		return notStarted("cannot start: " + oneLine(err.Error()))
	}
	stop := p.supervise(ctx, c.Timeout)
	exitCode, state := p.finish()
	return verdict(stop, exitCode, state, out)
}

// verdict turns how the run was stopped, the shell's exit code and state
// and its output into a Result. Exit statuses 126 and 127 are the shell's
// "cannot execute" and "not found", so its message joins the Reason.
func verdict(s stopping, exitCode int, state string, out *tail) Result {
	res := Result{ExitCode: exitCode, TimedOut: s.timedOut, Output: out.String()}
	switch {
	case s.cause != "":
		res.Reason = s.cause + "; " + s.how
	case (exitCode == 126 || exitCode == 127) && lastLine(out.kept()) != "":
		res.Reason = state + ": " + lastLine(out.kept())
	default:
		res.Reason = state
	}
	res.Passed = s.cause == "" && exitCode == 0
	return res
}

// notStarted is the Result of a command that never ran.
func notStarted(reason string) Result {
	return Result{ExitCode: -1, Reason: reason}
}

// environ is the command's environment: env, plus the server's PATH when
// env has none, sorted.
func environ(env map[string]string) []string {
	list := make([]string, 0, len(env)+1)
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	if _, ok := env["PATH"]; !ok {
		if path, ok := os.LookupEnv("PATH"); ok {
			list = append(list, "PATH="+path)
		}
	}
	slices.Sort(list)
	return list
}

// oneLine joins the lines of s with "; ".
func oneLine(s string) string {
	return strings.ReplaceAll(s, "\n", "; ")
}

// lastLine is the last non-blank line of text, at most 200 bytes of it.
func lastLine(text []byte) string {
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if len(line) > 200 {
		line = strings.ToValidUTF8(line[:200], "") + "..."
	}
	return line
}
