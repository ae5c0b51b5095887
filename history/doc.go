// Package history records, continuously, what an environment's traffic
// looked like: every few seconds a Recorder samples the router's
// per-revision metrics (router/metrics) of each service's stable and
// candidate revisions, the candidate's weight and a parallel run's
// mismatch rate from the store, and the whole router's error rate and
// latency. Samples go into bounded rings in memory (an hour at the
// default five seconds), so a chart of the weight over time or of
// "what changed just before this spike?" does not depend on anyone
// having watched.
//
// It keeps nothing on disk: a restarted server starts its rings anew
// (the store keeps the events, which say what changed; these say how
// the traffic looked meanwhile).
package history
