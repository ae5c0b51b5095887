// Package workloadtest holds the conformance suites of workload's two
// plugin contracts. Run is the suite every workload.Driver must pass: a
// driver's tests call it with a way to build a fresh driver (and, if the
// driver can, a second one over the same state, as a restarted server
// would) and a Program that says how to run a few standard behaviours on
// that platform. RunPlatform is the suite every workload.Platform must
// pass (platform.go): a platform's tests call it with a fresh platform,
// a way to reopen it, a spec it runs, and a way to play what runs its
// instances (Kubernetes' kubelets in a test).
package workloadtest
