package teardown

import "testing"

func TestDecide(t *testing.T) {
	all := Observed{GoingDown: true, ControllersRunning: true, ActiveOperations: 2, InRotation: 3, Instances: 4, Services: 2}
	cases := []struct {
		name string
		o    Observed
		want Step
	}{
		{"not going down: nothing, whatever runs", Observed{ControllersRunning: true, Instances: 3, Services: 1}, Done},
		{"not going down, empty", Observed{}, Done},
		{"controllers stop first", all, StopControllers},
		{"controllers running in an empty environment", Observed{GoingDown: true, ControllersRunning: true}, StopControllers},
		{"then operations in flight fail", Observed{GoingDown: true, ActiveOperations: 1, InRotation: 3, Instances: 4, Services: 2}, FailOperations},
		{"then instances leave rotation", Observed{GoingDown: true, InRotation: 1, Instances: 4, Services: 2}, LeaveRotation},
		{"an instance back in rotation leaves again", Observed{GoingDown: true, InRotation: 1, Instances: 1}, LeaveRotation},
		{"then they drain and stop", Observed{GoingDown: true, Instances: 4, Services: 2}, DrainAndStop},
		{"instances of no service still stop", Observed{GoingDown: true, Instances: 1}, DrainAndStop},
		{"then what the cluster holds goes", Observed{GoingDown: true, PlatformObjects: 5, Services: 2}, RemovePlatform},
		{"instances stop before the cluster's objects go", Observed{GoingDown: true, Instances: 1, PlatformObjects: 5}, DrainAndStop},
		{"then the services go", Observed{GoingDown: true, Services: 2}, RemoveServices},
		{"then it is down", Observed{GoingDown: true}, Finish},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Decide(c.o); got != c.want {
				t.Errorf("Decide(%+v) = %s, want %s", c.o, got, c.want)
			}
		})
	}
}

func TestStepString(t *testing.T) {
	for s := Done; s <= Finish; s++ {
		if s.String() == "Step(?)" {
			t.Errorf("step %d has no name", int(s))
		}
	}
	if Step(99).String() != "Step(?)" {
		t.Errorf("Step(99) = %s", Step(99))
	}
}
