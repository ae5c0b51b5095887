// Package teardown takes an environment down, as desired state: `slipway
// down` records the environment going down (store.Environment.Down, in
// the hub's registry), and the Controller drives it there, one safe step
// per pass, re-reading everything each time:
//
//	StopControllers -> FailOperations -> LeaveRotation -> DrainAndStop -> RemovePlatform -> RemoveServices -> Finish
//
// Each step is taken only when what it changes is still there (Decide,
// pure), so a pass that failed, or a server killed at any moment, is
// resumed by the next pass, on this server or a restarted one. No
// controller of the environment may start an instance meanwhile: they
// are stopped first and started again by Finish, when the environment
// is empty (its revisions and events stay; an apply brings it back).
package teardown
