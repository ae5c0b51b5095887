package teardown

// Step is what a pass does next to take an environment down.
type Step int

// The steps, in the order a take-down takes them. Done means there is
// nothing to do: the environment is not going down.
const (
	Done Step = iota
	// StopControllers stops the environment's queue workers and resync
	// (and waits for their passes in flight): no controller may start
	// an instance while it goes down.
	StopControllers
	// FailOperations ends every operation in flight Failed.
	FailOperations
	// LeaveRotation marks every instance Stopping and not ready, so that
	// the router's table drops it.
	LeaveRotation
	// DrainAndStop lets each instance finish its requests (up to its
	// route's drain timeout), stops it (SIGTERM, SIGKILL after its stop
	// grace), removes its files and deletes its record.
	DrainAndStop
	// RemovePlatform deletes what Slipway applied to the environment's
	// platform (a cluster's HTTPRoutes first, then its Deployments and
	// Services), nothing else.
	RemovePlatform
	// RemoveServices deletes the service records; their stable revisions
	// become Superseded (revisions and events stay).
	RemoveServices
	// Finish records the environment down and starts its controllers
	// again.
	Finish
)

var stepNames = [...]string{"Done", "StopControllers", "FailOperations", "LeaveRotation", "DrainAndStop", "RemovePlatform", "RemoveServices", "Finish"}

func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return "Step(?)"
	}
	return stepNames[s]
}

// Observed is what a pass sees of an environment.
type Observed struct {
	// GoingDown is the registry's desired state.
	GoingDown bool
	// ControllersRunning says whether the environment's controllers run.
	ControllersRunning bool
	// ActiveOperations counts operations not yet terminal.
	ActiveOperations int
	// InRotation counts instance records not yet out of rotation (not
	// Stopping, or still marked ready); Instances counts every record.
	InRotation int
	Instances  int
	// PlatformObjects counts what Slipway applied to a platform that
	// keeps its own objects (a cluster).
	PlatformObjects int
	// Services counts service records.
	Services int
}

// Decide returns the next step of a take-down: the first one whose work
// is still there. Pure.
func Decide(o Observed) Step {
	switch {
	case !o.GoingDown:
		return Done
	case o.ControllersRunning:
		return StopControllers
	case o.ActiveOperations > 0:
		return FailOperations
	case o.InRotation > 0:
		return LeaveRotation
	case o.Instances > 0:
		return DrainAndStop
	case o.PlatformObjects > 0:
		return RemovePlatform
	case o.Services > 0:
		return RemoveServices
	}
	return Finish
}
