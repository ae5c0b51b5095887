package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestDashboardAutoscalePanel: the page of a service that autoscales
// shows its ready and desired counts, its bounds and target, and the
// autoscaler's decisions newest first with their reasons; one scaled to
// zero says so; a service that does not autoscale has no such panel.
func TestDashboardAutoscalePanel(t *testing.T) {
	s := newDashStack(t, 1)
	now := s.clock.Now()
	sp := spec.Service{Name: "fn", Run: []string{"./fn"}, Route: spec.Route{Host: "fn.localhost"},
		Scale: &spec.Scale{Min: 0, Max: 5, Target: spec.ScaleTarget{RPS: 100}}}
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.CreateRevision(store.Revision{Service: "fn", Spec: sp, State: store.RevisionStable, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.PutService(store.Service{Name: "fn", Revision: 1, Stable: 1, Phase: store.PhaseReady,
			Autoscale: &store.Autoscale{Revision: 1, Replicas: 3, Reason: "rps 290 over target 100 x 1 instances", ChangedAt: now}}); err != nil {
			return err
		}
		for _, id := range []string{"fn-1-a", "fn-1-b"} {
			if err := tx.PutInstance(store.Instance{ID: id, Service: "fn", Revision: 1, Port: 9100, State: store.InstanceRunning, Ready: true}); err != nil {
				return err
			}
		}
		for _, d := range []store.AutoscaledData{{From: 1, To: 2, Reason: "burst: rps 180 in the last 6s"}, {From: 2, To: 3, Reason: "rps 290 over target 100 x 1 instances"}} {
			data, _ := json.Marshal(d)
			if _, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceAutoscaled, Service: "fn", Revision: 1, Message: d.Reason, Data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.loginToken(t, "deployer-secret")
	_, body := b.do(t, "GET", "/services/fn", "")
	for _, want := range []string{"Autoscaling", "2 ready of 3 desired", "between 0 and 5 instances, target rps 100 per instance",
		"2 &rarr; 3</td><td data-label=\"Why\">rps 290 over target 100 x 1 instances", "1 &rarr; 2</td><td data-label=\"Why\">burst: rps 180"} {
		if !strings.Contains(body, want) {
			t.Errorf("page of fn lacks %q", want)
		}
	}
	if strings.Index(body, "2 &rarr; 3") > strings.Index(body, "1 &rarr; 2") {
		t.Error("decisions not newest first")
	}
	err = s.store.Update(context.Background(), func(tx store.Tx) error {
		svc, err := tx.GetService("fn")
		if err != nil {
			return err
		}
		svc.Autoscale.Replicas = 0
		for _, id := range []string{"fn-1-a", "fn-1-b"} {
			if err := tx.DeleteInstance(id); err != nil {
				return err
			}
		}
		return tx.PutService(svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, body = b.do(t, "GET", "/services/fn", ""); !strings.Contains(body, "Scaled to zero</strong>: the next request starts an instance") {
		t.Errorf("page of fn at zero:\n%.2000s", body)
	}
	if _, body = b.do(t, "GET", "/services/svc000", ""); strings.Contains(body, "Autoscaling") {
		t.Error("a service without scale: has an autoscaling panel")
	}
}
