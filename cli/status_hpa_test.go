package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// TestStatusShowsTheHPA: on Kubernetes, status shows the HPA's last
// decision with its reason (as Slipway's autoscaler's), its counts and
// measurement, and its conditions, with the message of the one that
// holds the count.
func TestStatusShowsTheHPA(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 1, 0, 0, time.Local)
	svc := api.Service{Name: "order", Revision: 1, Stable: 1, Phase: "Ready", Desired: 8, Ready: 5,
		Autoscale: &api.Autoscale{Min: 2, Max: 8, Target: "cpu 70%", ChangedAt: at,
			Reason: "cpu 240% over target 70% x 5 instances; limited: the desired replica count is more than the maximum replica count (TooManyReplicas)",
			HPA: &api.HPA{Name: "order-r1", Revision: 1, Current: 5, Desired: 8, LastScaleTime: at,
				Metrics: []api.AutoscaleMetric{{Name: "cpu", Current: 240, Target: 70, Unit: "%"}},
				Conditions: []api.AutoscaleCondition{
					{Type: "AbleToScale", Status: "True", Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 8"},
					{Type: "ScalingActive", Status: "True", Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count"},
					{Type: "ScalingLimited", Status: "True", Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count"},
				}}}}
	var out strings.Builder
	printStatus(&out, []api.Service{svc})
	for _, want := range []string{
		"    autoscale 2..8 on cpu 70%: cpu 240% over target 70% x 5 instances; limited: the desired replica count is more than the maximum replica count (TooManyReplicas) (10:01:00)\n",
		"    hpa order-r1: 5 -> 8 instances, cpu 240% (target 70%), last scaled 10:01:00\n",
		"      AbleToScale SucceededRescale, ScalingActive ValidMetricFound, ScalingLimited TooManyReplicas: the desired replica count is more than the maximum replica count\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status:\n%s\nwant a line %q", out.String(), want)
		}
	}
}
