// Package main, the command config, measures dynamic configuration delivery (issue 15): the
// time from a new version to every one of N instances having applied it,
// against the floor of doing the same by hand, and the time from a
// stopped delivery, or a failed analysis, to every instance back on the
// previous version:
//
//	go run ./bench/config [-instances 50] [-runs 5] [-worktree]
//
// One server runs N instances of a small Python program (python3 must be
// installed) that reads its config file at start and on SIGHUP and
// reports the version it applied on its readiness check. Each run is
// timed from the API call to the moment every instance, asked directly
// over loopback, answers with the new version:
//
//   - by hand (the peer, the floor): the program writes each instance's
//     config file itself and sends it SIGHUP, as a script would;
//   - allAtOnce: config set, delivered to every instance at once;
//   - linear 5 steps: the step machine (steps 1ms apart, each waiting for
//     the instances given the version to report it);
//   - stop -> previous: config stop of a linear delivery after its first
//     step, until every instance is on the previous version again;
//   - failed analysis -> previous: the same first step judged by an
//     analysis that fails at its first judgement (the router's success
//     rate of the instances on the new version, under the load
//     generator's traffic through the router, must be above 1), from the
//     time of the delivery's rolled-back event, which the controller
//     stamps with the pass that judged it, until every instance is on the
//     previous version again.
//
// It prints the median, min and max of each.
package main
