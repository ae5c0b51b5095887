// Package workloadtest is the conformance suite every workload.Driver must
// pass. A driver's tests call Run with a way to build a fresh driver (and,
// if the driver can, a second one over the same state, as a restarted
// server would) and a Program that says how to run a few standard
// behaviours on that platform.
package workloadtest
