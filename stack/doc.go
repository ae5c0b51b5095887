// Package stack applies an app spec as a whole, with the semantics of a
// CloudFormation stack: an apply is an Operation that converges every
// changed service in dependency order, and if any of them misses its
// progress deadline, every service it changed goes back to its previous
// revision.
//
// Apply and Rollback are edits to desired state made inside a store
// transaction; the Controller is the level-triggered loop that moves an
// operation forward one step per pass:
//
//	Running:     start each change whose dependencies converged; mark
//	             changes done as their services converge
//	             -> Succeeded when all are done
//	             -> RollingBack when a service failed (Failed for a rollback)
//	RollingBack: point every started service back at its previous revision
//	             -> RolledBack once they converged
package stack
