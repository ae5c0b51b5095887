package store

// Phase is where a service's rollout stands.
//
//	Progressing --converged--> Ready
//	Progressing --deadline---> Failed
//	Ready|Failed --new target--> Progressing
type Phase string

// Service phases.
const (
	PhaseProgressing Phase = "Progressing"
	PhaseReady       Phase = "Ready"
	PhaseFailed      Phase = "Failed"
)

func (p Phase) String() string { return string(p) }

// Converged reports whether the service runs its target revision fully.
func (p Phase) Converged() bool { return p == PhaseReady }

// RevisionState is a revision's place in its service's history.
//
//	Pending --rollout done--> Stable --newer stable--> Superseded
//	Pending --rollout failed or reverted--> RolledBack
//	Superseded|RolledBack --rollback to it--> Pending
type RevisionState string

// Revision states.
const (
	RevisionPending    RevisionState = "Pending"
	RevisionStable     RevisionState = "Stable"
	RevisionSuperseded RevisionState = "Superseded"
	RevisionRolledBack RevisionState = "RolledBack"
)

func (s RevisionState) String() string { return string(s) }

// InstanceState is one instance's lifecycle.
//
//	Pending --started--> Running --process ended--> Exited --backoff set--> Backoff
//	Backoff --NextStart reached, restarted--> Running
//	any --no longer wanted--> Stopping --process gone--> (record deleted)
//
// Readiness is tracked apart (Instance.Ready): a Running instance takes
// traffic only when it is also Ready.
type InstanceState string

// Instance states.
const (
	InstancePending  InstanceState = "Pending"
	InstanceRunning  InstanceState = "Running"
	InstanceExited   InstanceState = "Exited"
	InstanceBackoff  InstanceState = "Backoff"
	InstanceStopping InstanceState = "Stopping"
)

func (s InstanceState) String() string { return string(s) }

// Alive reports whether a process is expected to be running.
func (s InstanceState) Alive() bool { return s == InstanceRunning || s == InstanceStopping }

// Leaving reports whether the instance is on its way out.
func (s InstanceState) Leaving() bool { return s == InstanceStopping }

// OperationState is an apply's lifecycle.
//
//	Running --every change converged--> Succeeded
//	Running --a change failed--> RollingBack --reverted--> RolledBack
//	Running --a rollback's change failed--> Failed (a rollback is not reverted)
//	Running --replaced by a newer operation--> Superseded
type OperationState string

// Operation states.
const (
	OperationRunning     OperationState = "Running"
	OperationSucceeded   OperationState = "Succeeded"
	OperationRollingBack OperationState = "RollingBack"
	OperationRolledBack  OperationState = "RolledBack"
	OperationFailed      OperationState = "Failed"
	OperationSuperseded  OperationState = "Superseded"
)

func (s OperationState) String() string { return string(s) }

// Terminal reports whether the operation will not change again.
func (s OperationState) Terminal() bool {
	switch s {
	case OperationSucceeded, OperationRolledBack, OperationFailed, OperationSuperseded:
		return true
	}
	return false
}

// OperationKind says what started an operation.
type OperationKind string

// Operation kinds.
const (
	// KindApply converges the whole app to a spec; if a change fails,
	// every started change is reverted.
	KindApply OperationKind = "apply"
	// KindRollback points one service back at an earlier revision; it
	// is not reverted when it fails.
	KindRollback OperationKind = "rollback"
	// KindDeploy moves one service to a pushed version (a deploy or a
	// promotion); reverted like an apply when it fails.
	KindDeploy OperationKind = "deploy"
)

func (k OperationKind) String() string { return string(k) }
