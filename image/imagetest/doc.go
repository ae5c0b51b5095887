// Package imagetest builds small OCI images and serves them, for tests,
// benchmarks and the demo: no registry on the internet is needed. An image
// is made of layers built from files (a static Go binary built on the
// spot, busybox from Debian's busybox-static, or any bytes, including the
// malicious entries the image package's tests feed it); it can be pushed
// by digest to an in-process registry (go-containerregistry's
// pkg/registry) on 127.0.0.1, or written as an OCI layout folder or a
// docker-save tarball.
//
// It returns errors instead of taking a testing.TB, so that programs
// (bench/containers, the demo) use it as tests do.
package imagetest
