// Package testrun runs a promotion gate's test command (for example
// ./scripts/acceptance.sh) against an environment and reports whether it
// passed: a release enters the next environment only if it does.
//
// Run starts Command.Run with /bin/sh -c in Command.Dir and waits for it.
// It passes when the shell exits with status 0 before Command.Timeout and
// before its context ends. It never returns an error and never panics: a
// command that cannot start (a missing directory, an invalid Command) is a
// failed Result whose Reason says why, and a script that does not exist is
// the shell's exit status 127 with the shell's message in Reason.
//
// # Environment
//
// The command's environment is exactly Command.Env, plus the server's PATH
// when Env has no PATH, so that tools installed where the server finds them
// are found by the script too. Nothing else of the server's environment is
// passed (it may hold credentials): HOME, LANG, TZ and the like reach the
// command only if the caller puts them in Env. Standard input is
// /dev/null.
//
// # User
//
// Run starts the shell with Command.Start when set: the server passes a
// func that makes a root server run it as the service's unprivileged user,
// without capabilities (workload/process's Users.StartFunc, injected by
// the server through pipeline.Config, as this package sits below it).
// Without Start it runs as the server's user.
//
// # Process group and stopping
//
// The shell runs in its own session and process group (Setsid), without a
// controlling terminal, so signals go to everything it started. When the
// timeout passes or the context ends, the whole group gets SIGTERM and,
// if the shell has not ended after a grace of 2 s, SIGKILL. When the shell
// ends by itself, whatever it left running in its group (a server started
// with & and never stopped) is sent SIGKILL: a gate's leftovers do not
// outlive it. Every signal is sent while the shell is not yet reaped (Run
// watches it with waitid and WNOWAIT), so the group ID cannot have been
// reused by an unrelated process. A process that left the group (setsid,
// or a double fork into another group) is out of reach; only its hold on
// the output pipe is cut, after a short drain.
//
// # Output
//
// Standard output and standard error share one pipe, so their lines
// interleave as written. Only the last Command.MaxOutput bytes are kept, in
// a ring, whatever the command prints; when some were cut, Result.Output
// starts with a line "[... N bytes cut]" and the kept text starts at a line
// (or at least a character) boundary.
//
// Run logs nothing: a gate's output and environment may hold secrets, and
// the caller decides what to show and to whom. Timeouts and durations are
// measured on the real clock, since they govern real processes.
package testrun
