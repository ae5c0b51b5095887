package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// TestAutoscalePanelHPA: on Kubernetes the Autoscaling panel shows the
// HorizontalPodAutoscaler's counts, measurement, last scale and each
// condition with its reason and message.
func TestAutoscalePanelHPA(t *testing.T) {
	h := api.HPA{Name: "order-r1", Revision: 1, Current: 5, Desired: 8, LastScaleTime: time.Date(2026, 12, 7, 10, 1, 0, 0, time.UTC),
		Metrics:    []api.AutoscaleMetric{{Name: "cpu", Current: 240, Target: 70, Unit: "%"}},
		Conditions: []api.AutoscaleCondition{{Type: "ScalingLimited", Status: "True", Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count"}}}
	var b strings.Builder
	if err := parsePages()["rollout"].ExecuteTemplate(&b, "hpa", h); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<code>order-r1</code> (revision 1): 5 &rarr; 8 instances, cpu 240% (target 70%), last scaled 2026-12-07 10:01:00",
		"<li>ScalingLimited True: TooManyReplicas &mdash; the desired replica count is more than the maximum replica count</li>"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("panel:\n%s\nlacks %q", b.String(), want)
		}
	}
}
