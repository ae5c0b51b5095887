// Package container is the local platform's workload.Driver for OCI
// images: each instance is a container of an unpacked image (package
// image), run by an OCI runtime (runc; crun on a cgroup v2 host), with
// the same directory layout, logs and adoption as workload/process.
package container
