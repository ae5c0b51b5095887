// Package process is the local platform's workload.Driver: each instance is
// a process on this machine, isolated by its own working directory, its own
// session and process group, an environment that is exactly the one asked
// for, log files, and (when the kernel lets us) cgroup limits.
//
// # Layout
//
// Every instance lives in dir/<id>/:
//
//	work/          the process's working directory; the artifact's link goes here
//	artifact/      the instance's copy of its artifact, or a hard link to the
//	               driver's verified copy in dir/.artifacts/ (read-only to it)
//	stdout.log     standard output, opened O_APPEND (stdout.log.1 after rotation)
//	stderr.log     standard error, likewise
//	instance.json  the record that identifies the process (see record)
//	exit.json      how it ended, written by its monitor (RecordExit only)
//
// The environment is exactly InstanceSpec.Env. A command name without a
// slash is looked up in that environment's PATH, or in the server's PATH
// when Env has none; a relative name with a slash is relative to work/.
// Status.Dir is work/.
//
// # Surviving the server
//
// An instance is started with Setsid, so it has its own session and process
// group (pgid == pid) and no controlling terminal: Ctrl-C or a hangup in the
// server's terminal and kill -9 of the server do not reach it. Its output
// goes straight to files, never through a pipe to the server. A later Driver
// over the same dir reads instance.json and adopts the process if /proc/PID
// exists, is not a zombie, and has the recorded start time (field 22 of
// /proc/PID/stat), which protects against PID reuse. Processes this Driver
// started are reaped by a goroutine per child, which records the exit
// status; adopted ones are polled in Observe and, once gone, are reported
// with Exit "ended while not watched (exit status unknown)".
//
// An instance whose spec sets RecordExit (a job run: its outcome must
// survive a kill -9 of the server) is started through a monitor instead
// (monitor.go): the driver's binary re-executed, detached, as the
// server's user, which starts the process confined exactly as the driver
// would, waits for it and writes exit.json (workload/instdir). Its PID is
// the process's parent, recorded beside it; any Driver reads exit.json.
//
// # The crash window
//
// Before forking, Start writes instance.json in phase "starting" with no
// PID. If the server dies before it records the PID, a later Driver looks
// for the orphan: a process that leads its own process group and whose
// current directory is the instance's work/ directory. (The environment
// cannot carry a marker, because it must be exactly InstanceSpec.Env.) If
// none is found, the instance is reported ended.
//
// # Users, capabilities, files
//
// When the server is root, an instance runs as InstanceSpec.User or as its
// service's dynamic user (Users), with no supplementary groups, no
// capabilities and no_new_privs, in a mount namespace where its directory
// is at InstanceMount (see startConfined). Its directory is laid out as:
//
//	(dir/<id> 0711, the server's)
//	work/          0700, the instance's own; its working directory
//	artifact/      0750, the server's and the instance's group; holds a link to
//	               the cache (root's, 0555) or, for a root instance, a copy
//	work/<path>    a symlink to artifact/<path>
//	*.log, instance.json   0600, the server's
//
// A server that is not root runs instances as itself, with no_new_privs.
//
// # cgroups
//
// Every instance gets its own cgroup (DefaultPIDs processes at most unless
// its spec sets a limit) under a "slipway" parent: on cgroup v2 the process is cloned straight into it
// (CLONE_INTO_CGROUP); on v1 it is started through a tiny /bin/sh wrapper
// that writes its own PID into each controller's cgroup.procs and then execs
// the command, so user code never runs outside its limits (if it cannot
// join, it exits with status 125 rather than run unlimited). Stop also
// kills whatever is left in the cgroups and removes them. When cgroups are
// missing or not writable, the Driver logs one warning and runs instances
// without limits.
//
// # Logs
//
// Logs returns the tail of both streams, reading backwards from the end of
// each file. Lines of stderr are prefixed "stderr: ". Two files cannot be
// interleaved exactly, so the stream written least recently comes first.
// Rotate (also run by Observe) caps each file at Options.LogLimit.
package process
