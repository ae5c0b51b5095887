// Package workload decides which instances should run: the Driver contract
// platforms implement, and the pure planner that compares a service's
// desired state with observed instances and returns the next safe steps.
package workload
