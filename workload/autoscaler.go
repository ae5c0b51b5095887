package workload

import "time"

// AutoscalerStatus is a platform's own autoscaler of one revision (a
// Kubernetes HorizontalPodAutoscaler) as its controller last reported
// it: Slipway does not size such a revision at rest, so this is how
// `status` and the audit log learn what was decided and why.
type AutoscalerStatus struct {
	// Name is the autoscaler's own name (the HPA object's).
	Name     string
	Revision int
	// Current is the count the revision ran at the autoscaler's last
	// look, Desired the count it chose then.
	Current, Desired int
	// Metrics are what it measured against its targets.
	Metrics []AutoscalerMetric
	// LastScaleTime is when it last changed the revision's count; zero
	// when it never did (it took the revision at the count it ran).
	LastScaleTime time.Time
	// Conditions are its conditions (for an HPA: AbleToScale,
	// ScalingActive, ScalingLimited), as its controller set them.
	Conditions []AutoscalerCondition
}

// AutoscalerMetric is one measured metric against its target, both in
// the spec's unit (cpu: a percentage of resources.cpu, else of a core).
type AutoscalerMetric struct {
	Name            string
	Current, Target float64
	// Unit follows the numbers: "%" for cpu.
	Unit string
}

// AutoscalerCondition is one condition of an autoscaler: its type, its
// status (True, False, Unknown), and the machine reason and the message
// its controller gave.
type AutoscalerCondition struct {
	Type, Status, Reason, Message string
}

// The conditions of a HorizontalPodAutoscaler that say why it chose a
// count: able to write it, able to measure, and held by a bound.
const (
	ConditionAbleToScale    = "AbleToScale"
	ConditionScalingActive  = "ScalingActive"
	ConditionScalingLimited = "ScalingLimited"
)

// Condition returns the condition of type typ, if the autoscaler has it.
func (s AutoscalerStatus) Condition(typ string) (AutoscalerCondition, bool) {
	for _, c := range s.Conditions {
		if c.Type == typ {
			return c, true
		}
	}
	return AutoscalerCondition{}, false
}

// Holds reports whether the condition is True.
func (c AutoscalerCondition) Holds() bool { return c.Status == "True" }
