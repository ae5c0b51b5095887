package storetest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// epoch is a fixed UTC time: UTC values compare equal after a round trip
// through JSON, which is how backends may store them.
var epoch = time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)

func sampleService(name string) store.Service {
	return store.Service{
		Name:      name,
		Revision:  2,
		Stable:    1,
		Phase:     store.PhaseProgressing,
		Message:   "waiting for " + name,
		Deadline:  epoch.Add(time.Minute),
		Operation: 7,
		UpdatedAt: epoch,
	}
}

func sampleSpec(name string) spec.Service {
	n := 3
	return spec.Service{
		Name:      name,
		Run:       []string{"./" + name, "--port", "${PORT}"},
		Env:       map[string]string{"MODE": "prod"},
		Instances: &n,
		DependsOn: []string{"db"},
		Artifact:  &spec.Artifact{Path: name, Digest: "sha256:00"},
		Health: spec.Health{Readiness: &spec.Probe{
			HTTP: "/healthz", Exec: []string{"true"}, FailureThreshold: 3,
		}},
	}
}

func sampleRevision(service string) store.Revision {
	return store.Revision{
		Service:   service,
		Spec:      sampleSpec(service),
		State:     store.RevisionPending,
		CreatedAt: epoch,
	}
}

func sampleInstance(id, service string) store.Instance {
	return store.Instance{
		ID: id, Service: service, Revision: 1, Port: 8000,
		State: store.InstanceRunning, PID: 42, StartTime: 1234,
		Ready: true, ReadySince: epoch, CreatedAt: epoch, StartedAt: epoch,
	}
}

func sampleOperation(state store.OperationState) store.Operation {
	return store.Operation{
		Kind:  store.KindApply,
		State: state,
		Changes: []store.Change{
			{Service: "invoice", From: 1, To: 2, DependsOn: []string{"order"}},
			{Service: "order", From: 0, To: 1},
		},
		Failure:   &store.Failure{Service: "invoice", Reason: "crash", Logs: []string{"panic"}},
		CreatedAt: epoch,
		UpdatedAt: epoch,
	}
}

func sampleEvent(service string, i int) store.Event {
	return store.Event{
		Time:     epoch.Add(time.Duration(i) * time.Second),
		Type:     store.EventRolloutStarted,
		Service:  service,
		Revision: i,
		Message:  fmt.Sprintf("event %d", i),
		Data:     json.RawMessage(fmt.Sprintf(`{"i":%d,"tags":["a","b"]}`, i)),
	}
}
