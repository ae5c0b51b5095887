package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// hpaBrief tells what a service's HorizontalPodAutoscaler (a Kubernetes
// environment's autoscaler) reports: its counts and measurements, then
// each condition, with the reason and message of one that does not
// hold as it should (it cannot scale or measure) or that limits it:
//
//	hpa order-r1: 5 -> 8 instances, cpu 240% (target 70%), last scaled 10:01:00
//	  AbleToScale ReadyForNewScale, ScalingActive ValidMetricFound, ScalingLimited TooManyReplicas: the desired replica count is more than the maximum replica count
func hpaBrief(s api.Service) []string {
	if s.Autoscale == nil || s.Autoscale.HPA == nil {
		return nil
	}
	h := s.Autoscale.HPA
	head := fmt.Sprintf("hpa %s: %d -> %d instances", h.Name, h.Current, h.Desired)
	if h.Current == h.Desired {
		head = fmt.Sprintf("hpa %s: %d instances", h.Name, h.Current)
	}
	for _, m := range h.Metrics {
		head += fmt.Sprintf(", %s %s%s (target %s%s)", m.Name, tenth(m.Current), m.Unit, tenth(m.Target), m.Unit)
	}
	if h.LastScaleTime.IsZero() {
		head += ", never scaled"
	} else {
		head += ", last scaled " + h.LastScaleTime.Local().Format(time.TimeOnly)
	}
	if len(h.Conditions) == 0 {
		return []string{head}
	}
	var cs []string
	for _, c := range h.Conditions {
		cs = append(cs, conditionBrief(c))
	}
	return []string{head, "  " + strings.Join(cs, ", ")}
}

// conditionBrief is one condition: its type and reason, with its
// message when it says something is wrong or held: AbleToScale or
// ScalingActive not True, ScalingLimited True.
func conditionBrief(c api.AutoscaleCondition) string {
	out := c.Type + " " + c.Reason
	if c.Status != "True" && c.Status != "False" {
		out = c.Type + " " + c.Status + " " + c.Reason
	}
	notable := (c.Type == "ScalingLimited") == (c.Status == "True")
	if notable && c.Message != "" {
		out += ": " + c.Message
	}
	return out
}

// tenth prints a measurement to a tenth, without a needless fraction.
func tenth(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
