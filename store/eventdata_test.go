package store_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// The events' data below is as releases before the typed payloads wrote
// it: it must decode the same, and encode back byte for byte.

func TestRolloutSucceededDataDecodesStoredShape(t *testing.T) {
	const stored = `{"artifact":{"path":"bin/order","version":"v1.2.0","digest":"sha256:` + hex64 + `",` +
		`"commit":"4f2a9c1","commitTime":"2025-03-01T09:30:00Z",` +
		`"commits":[{"id":"4f2a9c1","time":"2025-03-01T09:30:00Z"},{"id":"0b1c2d3","time":"2025-02-28T17:00:00Z"}]}}`
	want := store.RolloutSucceededData{Artifact: &spec.Artifact{Path: "bin/order", Version: "v1.2.0", Digest: "sha256:" + hex64,
		Commit: "4f2a9c1", CommitTime: "2025-03-01T09:30:00Z",
		Commits: []spec.ArtifactCommit{{ID: "4f2a9c1", Time: "2025-03-01T09:30:00Z"}, {ID: "0b1c2d3", Time: "2025-02-28T17:00:00Z"}}}}
	roundTrip(t, stored, want)
	// The writer used to marshal a map; the struct writes the same bytes.
	old, err := json.Marshal(map[string]any{"artifact": want.Artifact})
	if err != nil || string(old) != stored {
		t.Errorf("the old writer's data: %s (%v), want %s", old, err, stored)
	}
}

func TestRolloutSucceededDataWithoutCommit(t *testing.T) {
	roundTrip(t, `{"artifact":{"path":"bin/x"}}`, store.RolloutSucceededData{Artifact: &spec.Artifact{Path: "bin/x"}})
}

func TestIncidentDataDecodesStoredShape(t *testing.T) {
	roundTrip(t, `{"id":3,"env":"prod","causedBy":2,"title":"checkout returns 500"}`,
		store.IncidentData{ID: 3, Env: "prod", CausedBy: 2, Title: "checkout returns 500"})
	roundTrip(t, `{"id":3,"env":"prod"}`, store.IncidentData{ID: 3, Env: "prod"})
}

// TestHealthDataShapes pins the JSON of the health events' data (wire
// format for webhook receivers: fields are only ever added).
func TestHealthDataShapes(t *testing.T) {
	roundTrip(t, `{"since":"2026-12-07T15:00:00Z","ready":1,"desired":2,"reason":"instance web-1-a not ready"}`,
		store.UnhealthyData{Since: time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), Ready: 1, Desired: 2, Reason: "instance web-1-a not ready"})
	roundTrip(t, `{"path":"/var/lib/slipway","freeBytes":1048576,"totalBytes":104857600,"warnPercent":10}`,
		store.DiskData{Path: "/var/lib/slipway", FreeBytes: 1 << 20, TotalBytes: 100 << 20, WarnPercent: 10})
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// roundTrip checks that stored decodes to want and want encodes to
// stored.
func roundTrip[T any](t *testing.T, stored string, want T) {
	t.Helper()
	var got T
	if err := json.Unmarshal([]byte(stored), &got); err != nil {
		t.Fatalf("decode %s: %v", stored, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decode %s:\n got %+v\nwant %+v", stored, got, want)
	}
	b, err := json.Marshal(want)
	if err != nil || string(b) != stored {
		t.Errorf("encode %+v: %s (%v), want %s", want, b, err, stored)
	}
}

// TestPromotionEvents: exactly the events PromotionEvent, GateEvent and
// the pipeline's verbs write are promotion events.
func TestPromotionEvents(t *testing.T) {
	want := map[store.EventType]bool{store.EventPromotionApproved: true, store.EventPromotionRejected: true, store.EventPromotionAwaitingApproval: true}
	for _, s := range []store.PromotionState{store.PromotionWaiting, store.PromotionDeploying, store.PromotionSucceeded, store.PromotionFailed, store.PromotionCancelled} {
		typ, _ := store.PromotionEvent(s)
		want[typ] = true
	}
	for _, s := range []store.GateState{store.GatePassed, store.GateFailed} {
		typ, _ := store.GateEvent(s)
		want[typ] = true
	}
	for _, typ := range store.EventTypes() {
		if typ.Promotion() != want[typ] {
			t.Errorf("%s.Promotion() = %v", typ, typ.Promotion())
		}
	}
}
