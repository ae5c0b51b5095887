// Package main, the command containers, measures Slipway's container
// driver (workload/container) against its floor and a peer, and prints
// one table:
//
//   - start -> ready: wall time from Start to the first 200 from
//     /healthz, for one instance of the example service (a static Go
//     binary): as a process (workload/process: the floor), as a container
//     (workload/container over runc), and as `podman run` of the same
//     image from the same loopback registry (Debian's podman: the peer);
//   - memory per instance: the service's RSS, and the RSS of what each
//     runtime keeps beside it (Slipway's monitor, podman's conmon);
//   - pull + unpack: a ~50 MB image (one random layer) from a registry on
//     127.0.0.1 into a fresh store (image.Store Pull then Unpack), against
//     `podman pull` into fresh storage.
//
// Run it as root from the module root (it builds the example service):
//
//	go run ./bench/containers [-runs 5] [-size 50]
//
// Podman runs with its own --root and --runroot in a temporary folder, so
// the machine's images are neither used nor touched; when it cannot run
// here, its rows say why. Every wait is bounded; every instance and
// folder is removed before it exits.
package main
