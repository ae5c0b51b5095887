// Package instdir holds what the two local drivers (workload/process and
// workload/container) share about an instance's directory on this
// machine: the instance's record (instance.json, which each driver's own
// record type embeds), the exit status a monitor records there
// (exit.json), its config files (config/, which a process reads in
// place and a container through a bind), and the one-line protocol on
// which a monitor tells the driver that started it whether its instance
// runs.
//
// A monitor is a small process of the driver's own binary that starts an
// instance, waits for it and writes how it ended, so that the exit of an
// instance that ends while no server runs is still known (as conmon or a
// containerd shim). The container driver runs one per container; the
// process driver one per instance whose spec asks for it (a job run,
// workload.InstanceSpec.RecordExit).
package instdir
