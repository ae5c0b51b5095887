package cli_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func intPtr(n int) *int { return &n }

// TestRolloutVerbs checks each verb's request and what it prints about
// the service the server answers with.
func TestRolloutVerbs(t *testing.T) {
	paused := runningOrder()
	paused.Canary.Paused, paused.Canary.PauseReason = true, "paused by checking the dashboards"
	full := runningOrder()
	full.Canary.Full = true
	last := runningOrder()
	last.Canary.Step, last.Canary.StepName, last.Canary.Weight = 4, "pause: until promoted", 50
	blueGreen := api.Service{Name: "order", Revision: 3, Stable: 2, Phase: "Progressing", Traffic: &api.Traffic{Active: 2, Preview: 3}}
	tests := []struct {
		name string
		args []string
		svc  api.Service // as the server answers after the edit
		want verbCall
		out  string
	}{
		{"promote a canary", []string{"promote", "order"}, runningOrder(), verbCall{"order", "promote", api.RolloutRequest{}},
			`promoting order: canary r3 ends step 2/5 setWeight: 20 and goes on with step 3/5; follow it with "slipway rollout watch order"`},
		{"promote the last step", []string{"promote", "order"}, last, verbCall{"order", "promote", api.RolloutRequest{}},
			`promoting order: canary r3 ends its last step (5/5 pause: until promoted), scales to full, then takes all traffic; follow it with "slipway rollout watch order"`},
		{"promote in full", []string{"promote", "order", "--full"}, full, verbCall{"order", "promote", api.RolloutRequest{Full: true}},
			`promoting order in full: canary r3 skips its remaining steps, scales to full, then takes all traffic; follow it with "slipway rollout watch order"`},
		{"promote blue/green", []string{"promote", "order"}, blueGreen, verbCall{"order", "promote", api.RolloutRequest{}},
			`promoting order: revision 3 takes all traffic once the controller acts (see "slipway status order")`},
		{"pause", []string{"pause", "order", "--reason", "checking the dashboards"}, paused,
			verbCall{"order", "pause", api.RolloutRequest{Reason: "checking the dashboards"}},
			`paused the canary r3 of order at step 2/5 setWeight: 20, 20% of the traffic (paused by checking the dashboards); ` +
				`go on with "slipway rollout resume order" or "slipway rollout promote order"`},
		{"resume", []string{"resume", "order"}, runningOrder(), verbCall{"order", "resume", api.RolloutRequest{}},
			`resumed the canary r3 of order at step 2/5 setWeight: 20, 20% of the traffic; follow it with "slipway rollout watch order"`},
		{"abort", []string{"abort", "order", "--reason", "bad latency"}, runningOrder(),
			verbCall{"order", "abort", api.RolloutRequest{Reason: "bad latency"}},
			`aborting the canary r3 of order: all traffic goes back to r2 once the controller acts; see "slipway rollout explain order"`},
		{"retry", []string{"retry", "order"}, rolledBackOrder(), verbCall{"order", "retry", api.RolloutRequest{}},
			`retrying the canary r3 of order from its first step; follow it with "slipway rollout watch order"`},
		{"set-weight", []string{"set-weight", "order", "30"}, runningOrder(),
			verbCall{"order", "set-weight", api.RolloutRequest{Weight: intPtr(30)}},
			`the canary r3 of order now has 30% of the traffic; its steps are paused until "slipway rollout resume order" or "slipway rollout promote order"`},
		{"set-weight zero", []string{"set-weight", "order", "0"}, runningOrder(),
			verbCall{"order", "set-weight", api.RolloutRequest{Weight: intPtr(0)}},
			`the canary r3 of order now has 0% of the traffic; its steps are paused until "slipway rollout resume order" or "slipway rollout promote order"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := run(t, url, append([]string{"rollout"}, tc.args...)...)
			if res.code != 0 || res.stdout != tc.out+"\n" {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.out)
			}
			if len(f.verbs) != 1 || !reflect.DeepEqual(f.verbs[0], tc.want) {
				t.Errorf("requests %+v, want [%+v]", f.verbs, tc.want)
			}
		})
	}
}

// TestRolloutVerbRefused shows the server's word on a verb it refuses,
// as it is.
func TestRolloutVerbRefused(t *testing.T) {
	f, url := newFake(t)
	f.verbErr = &api.ErrorDetail{Kind: api.KindConflict, Message: "service order has no canary in flight: its canary of revision 3 " +
		"was rolled back (analysis failed: success-rate: 2 measurements failed); to try it again: slipway rollout retry order"}
	res := run(t, url, "rollout", "pause", "order")
	if res.code != 1 || res.stderr != "error: "+f.verbErr.Message+"\n" || res.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	res = run(t, url, "rollout", "promote", "nosuch")
	if res.code != 1 || !strings.Contains(res.stderr, "no canary in flight") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestSetWeightBadInput rejects a weight that is no percentage before
// anything is sent.
func TestSetWeightBadInput(t *testing.T) {
	f, url := newFake(t)
	f.services = []api.Service{runningOrder()}
	for _, weight := range []string{"101", "-1", "ten", "12.5", "50%"} {
		res := run(t, url, "rollout", "set-weight", "order", "--", weight) // "--": -1 is no flag
		want := `error: weight must be a whole percentage of traffic, 0..100, not "` + weight + `"`
		if res.code != 2 || !strings.HasPrefix(res.stderr, want+"\n") {
			t.Errorf("%s: exit %d, stderr %q", weight, res.code, res.stderr)
		}
	}
	for _, args := range [][]string{{"order"}, {"order", "-1"}, {"order", "10", "20"}} {
		if res := run(t, url, append([]string{"rollout", "set-weight"}, args...)...); res.code != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
}

// TestRolloutCompletion completes each verb's SERVICE argument.
func TestRolloutCompletion(t *testing.T) {
	f, url := newFake(t)
	f.services = shopServices
	for _, verb := range []string{"promote", "pause", "resume", "abort", "retry", "set-weight", "status", "watch", "explain"} {
		res := run(t, url, "__complete", "rollout", verb, "or")
		if res.code != 0 || !strings.HasPrefix(res.stdout, "order\n:4\n") {
			t.Errorf("%s: exit %d, stdout %q", verb, res.code, res.stdout)
		}
	}
}
