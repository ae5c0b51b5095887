package dashboard

import (
	"context"
	"encoding/json"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// scaleView is the autoscaling panel of a service's page: the count the
// service runs against the one the autoscaler wants, its bounds and
// target, and its latest decisions with their reasons.
type scaleView struct {
	Ready, Desired int
	Min, Max       int
	Target         string
	ScaledToZero   bool
	// HPA is the Kubernetes HorizontalPodAutoscaler that sizes the
	// service there (its decisions are the Decisions).
	HPA       *api.HPA
	Decisions []decision // newest first
}

// decision is one service.autoscaled event.
type decision struct {
	Time     time.Time
	From, To int
	Reason   string
}

// scaleLookback is how many of a service's newest events are searched
// for its autoscaler's decisions, and maxDecisions how many are shown.
const (
	scaleLookback = 200
	maxDecisions  = 8
)

// scaleData is the panel of service s, nil when it does not autoscale.
// A failed read of the log leaves the decisions out, not the page.
func (d *Dashboard) scaleData(ctx context.Context, se session, env string, s api.Service) *scaleView {
	a := s.Autoscale
	if a == nil {
		return nil
	}
	v := &scaleView{Ready: s.Ready, Desired: s.Desired, Min: a.Min, Max: a.Max, Target: a.Target, ScaledToZero: a.ScaledToZero, HPA: a.HPA}
	evs, err := d.newestEvents(ctx, se, env, s.Name, scaleLookback)
	if err != nil {
		return v
	}
	for i := len(evs) - 1; i >= 0 && len(v.Decisions) < maxDecisions; i-- { // oldest first: newest at the end
		e := evs[i]
		if e.Type != string(store.EventServiceAutoscaled) {
			continue
		}
		var data store.AutoscaledData
		if json.Unmarshal(e.Data, &data) != nil {
			continue
		}
		v.Decisions = append(v.Decisions, decision{Time: e.Time, From: data.From, To: data.To, Reason: data.Reason})
	}
	return v
}
