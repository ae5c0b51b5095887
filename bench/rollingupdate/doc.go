// Package main, the command rollingupdate, measures what a 10-instance rolling update costs
// when the service runs from an OCI image (containers through runc)
// against the same service run as processes, on one server each:
//
//	go run ./bench/rollingupdate [-runs 5] [-instances 10] [-worktree]
//
// Each runtime gets its own server over its own data folder. The example
// order service is applied with N instances (rolling, maxSurge 2,
// maxUnavailable 0, readiness every 100ms), then updated -runs times by
// changing one environment variable; each update is timed from the apply
// to its `--wait` returning (every new instance started and ready, every
// old one drained and stopped). The image is the order binary, built
// static, served by an in-process registry on loopback; it is pulled and
// unpacked by the first apply, so updates measure the runtime alone. It
// prints the median, min and max per update and per instance replaced.
//
// Containers need root and runc (apt-get install runc); without them the
// program says so and measures processes alone.
package main
