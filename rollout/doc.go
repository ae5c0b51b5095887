// Package rollout keeps each service at its desired state and takes it
// from its stable revision to a candidate revision by the candidate's
// strategy, one safe step per pass; it also runs flags' progressive
// releases.
//
// # The controller
//
// Controller is level-triggered and keyed. Reconcile(ctx, name) (queue
// key ServiceKey, "svc:NAME") re-reads the service, its instances and
// the driver, decides purely what comes next, applies those steps, and
// says when to look again; an error backs off in the server's queue.
// Every state change is written with its event in one transaction, and
// nothing the controller needs lives only in memory, so a new Controller
// over the same store and driver picks up where the last one stopped.
// Two things live in memory between writes: a parallel run's compared
// requests (a restarted server starts its duration again, saying so) and
// a flag release step's analysis (measured afresh). A pass:
//
//  1. shapes the planner's input from the service and its target
//     revision (desired; for a canary, canaryDesired keeps stable's
//     instances and runs the candidate's share);
//  2. plans with workload.Decide (pure: creates within maxSurge, stops
//     while enough stay available, restarts with backoff, kills on a
//     liveness failure) and applies each action (start, drain then stop);
//  3. judges the rollout: Assess (pure) says whether it converged, missed
//     its progress deadline, or waits to be promoted; a canary, parallel
//     run or blue/green switch is judged by its own decide step below.
//
// # Strategies
//
//   - rolling (the default): old and new revisions share the traffic
//     while instances are replaced, health-gated, maxSurge at a time.
//   - blueGreen: the whole candidate starts beside the active revision,
//     reachable through the preview header; a promotion (or autoPromote)
//     switches all traffic at once and keeps the old revision for
//     scaleDownDelay, so a rollback is a traffic switch.
//   - canary: a step machine persisted on the service (store.Canary).
//     Advance (pure) moves its steps (setWeight, pause, setHeaderRoute,
//     analysis) and decides CanaryWait, CanaryRollBack or CanaryPromote;
//     CanaryReplicas sizes the candidate for a weight. Analysis runs are
//     pure too: NewRun starts one (the background run for the whole
//     rollout, or an analysis step's), Record folds a round of
//     measurements into its tally. measure asks each metric's
//     analysis.Provider (bounded in time) and judges the answer; a
//     failed analysis rolls back, an inconclusive one pauses for a
//     person. MeasureRevision lends this to the pipeline's analysis
//     gates.
//   - parallelRun: the candidate runs beside stable and gets a copy of
//     a share of the requests (the router's mirror); DecideParallel
//     (pure) judges the mirror.Report once its duration is over and
//     promotes, or rejects the candidate (users never left stable).
//
// # Flag progressive releases
//
// ReconcileFlag (queue key FlagKey, "flag:KEY") raises a flag variant's
// share step by step once the service that reads the flag is stable:
// AdvanceFlag (pure) decides each step from the release, the current
// step's analysis and what the pass observed; a failed analysis, or a
// kill, sets the variant back to 0%.
//
// The decide steps (workload.Decide, Assess, Advance, Record,
// DecideParallel, AdvanceFlag) take state, observations and now, and do
// no I/O: their tests drive them one tick at a time on a fake clock.
package rollout
