package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// platformAutoscalers is a Platform whose own autoscalers can be read
// (kube.Cluster: a HorizontalPodAutoscaler per autoscaled revision).
type platformAutoscalers interface {
	// Autoscalers returns the autoscalers of a service's revisions as
	// their controller last reported them, by revision.
	Autoscalers(ctx context.Context, service string) ([]workload.AutoscalerStatus, error)
}

// recordAutoscaler writes the latest decision of the platform's
// autoscaler of a revision the platform sizes (auto, platformScaled):
// the service's store.Autoscale (revision, the count chosen, why, and
// the autoscaler's last scale time) and a service.autoscaled event, as
// Slipway's own autoscaler does on one machine, so that `status`, the
// dashboard's Autoscaling panel and the audit log show what the HPA
// decided. A decision is written once (hpaDecision: keyed on the
// revision, the count and the last scale time, stored with the
// service), so a restarted server writes none again; the write is
// version checked against the pass's read (a change meanwhile: the next
// pass decides again). It reports whether it wrote.
func (c *Controller) recordAutoscaler(ctx context.Context, s snapshot, auto map[int]int) (bool, error) {
	pa, ok := c.cfg.Platform.(platformAutoscalers)
	if !ok || len(auto) == 0 || !s.found {
		return false, nil
	}
	all, err := pa.Autoscalers(ctx, s.svc.Name)
	if err != nil {
		return false, fmt.Errorf("read the autoscalers of %s: %w", s.svc.Name, err)
	}
	var h workload.AutoscalerStatus
	for _, a := range all { // by revision: the latest the platform sizes
		if _, sized := auto[a.Revision]; sized {
			h = a
		}
	}
	if h.Name == "" {
		return false, nil
	}
	rec, data, ok := hpaDecision(s.svc.Autoscale, h)
	if !ok {
		return false, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return false, err
	}
	now := c.cfg.Clock.Now()
	err = c.updateService(ctx, s.svc, func(tx store.Tx, svc *store.Service) error {
		svc.Autoscale = &rec
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceAutoscaled, Service: svc.Name, Revision: rec.Revision,
			Message: fmt.Sprintf("%s: %d -> %d instances (HorizontalPodAutoscaler %s): %s", svc.Name, data.From, data.To, h.Name, data.Reason), Data: b})
		return err
	})
	if errors.Is(err, errStale) {
		return true, nil // changed meanwhile: the next pass, at once, reads it
	}
	return err == nil, err
}

// hpaDecision returns what records the autoscaler's latest decision,
// and false when there is none to record: it never rescaled (it took
// the revision at the count Slipway handed over), or rec, the service's
// last record, holds it already (the same revision and count, scaled
// no later). A count the HPA returns to after a change Slipway missed
// (a restart, someone scaling the Deployment by hand) is a new decision:
// its scale time is later. From is the recorded count of the same
// revision, else the count the revision ran at the autoscaler's look.
func hpaDecision(rec *store.Autoscale, h workload.AutoscalerStatus) (store.Autoscale, store.AutoscaledData, bool) {
	if h.LastScaleTime.IsZero() {
		return store.Autoscale{}, store.AutoscaledData{}, false
	}
	from := h.Current
	if n, ok := rec.For(h.Revision); ok {
		if n == h.Desired && !h.LastScaleTime.After(rec.ChangedAt) {
			return store.Autoscale{}, store.AutoscaledData{}, false
		}
		if n != h.Desired {
			from = n
		}
	}
	reason := hpaReason(h, from)
	return store.Autoscale{Revision: h.Revision, Replicas: h.Desired, Reason: reason, ChangedAt: h.LastScaleTime},
		store.AutoscaledData{From: from, To: h.Desired, Reason: reason}, true
}

// hpaReason says why the autoscaler chose its count, as Slipway's own
// autoscaler says it: each metric against its target over the count it
// measured ("cpu 119% over target 70% x 3 instances"), then a bound
// that held the count (ScalingLimited: "limited: the desired replica
// count is more than the maximum replica count (TooManyReplicas)") or
// why it could not measure (ScalingActive False).
func hpaReason(h workload.AutoscalerStatus, from int) string {
	var parts []string
	active, known := h.Condition(workload.ConditionScalingActive)
	if !known || active.Holds() {
		for _, m := range h.Metrics {
			parts = append(parts, fmt.Sprintf("%s %s%s %s target %s%s x %d instances",
				m.Name, num(m.Current), m.Unit, compared(m.Current, m.Target), num(m.Target), m.Unit, from))
		}
	} else {
		parts = append(parts, conditionText("not measuring", active))
	}
	if l, ok := h.Condition(workload.ConditionScalingLimited); ok && l.Holds() {
		parts = append(parts, conditionText("limited", l))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("HorizontalPodAutoscaler %s chose %d instances", h.Name, h.Desired)
	}
	return strings.Join(parts, "; ")
}

// conditionText is a condition as a reason: "limited: MESSAGE (Reason)".
func conditionText(what string, c workload.AutoscalerCondition) string {
	msg := strings.TrimSpace(c.Message)
	if msg == "" {
		return what + ": " + c.Reason
	}
	return fmt.Sprintf("%s: %s (%s)", what, msg, c.Reason)
}

// compared is how a measurement stands to its target.
func compared(cur, target float64) string {
	switch {
	case cur > target:
		return "over"
	case cur < target:
		return "under"
	}
	return "at"
}

// num prints a measurement to a tenth, without a needless fraction.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
