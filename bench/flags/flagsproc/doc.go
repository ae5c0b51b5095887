// Package main, the command flagsproc, is the part of bench/flags that runs Slipway's flag
// code in-process, built from the measured source with the server. Each
// subcommand prints one JSON object on stdout:
//
//	flagsproc evaluate -f slipway.yaml     testing.Benchmark of Set.Evaluate (the
//	                                       benchmark flag) and Set.EvaluateAll
//	flagsproc compile -shape bench -n N    flags.Compile of N flags: time, heap
//	flagsproc changes -url U -key K -flag F -n 20
//	                                       kill/enable F in turn; per change, the time
//	                                       to the admin API's answer, to the first SSE
//	                                       data: line, and to a flags/feed Feed's Changed()
package main
