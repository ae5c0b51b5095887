package dora

import (
	"errors"
	"reflect"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

func TestIncidentLifecycle(t *testing.T) {
	var evs []store.Event
	record := func(e store.Event) {
		e.Seq = int64(len(evs) + 1)
		evs = append(evs, e)
	}
	current := func() []Incident {
		t.Helper()
		is, err := Incidents(evs)
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	e, first := OpenIncident(nil, Incident{Service: "order", Env: "default", CausedBy: 3, Title: "checkout 500s"}, hr(1))
	record(e)
	if first.ID != 1 || e.Type != store.EventIncidentOpened || e.Service != "order" || e.Revision != 3 ||
		e.Message != "incident 1 opened on order (default), caused by revision 3: checkout 500s" {
		t.Errorf("first incident %+v, event %+v", first, e)
	}
	e, second := OpenIncident(current(), Incident{Service: "invoice", Env: "default"}, hr(2))
	record(e)
	if second.ID != 2 || e.Message != "incident 2 opened on invoice (default), cause not known" {
		t.Errorf("second incident %+v, event %q", second, e.Message)
	}
	e, resolved, err := ResolveIncident(current(), 1, hr(3.5))
	if err != nil || resolved.Resolved != hr(3.5) || e.Message != "incident 1 on order (default) resolved after 2h30m0s" {
		t.Fatalf("resolve: %+v %q %v", resolved, e.Message, err)
	}
	record(e)
	want := []Incident{
		{ID: 1, Service: "order", Env: "default", CausedBy: 3, Title: "checkout 500s", Opened: hr(1), Resolved: hr(3.5)},
		{ID: 2, Service: "invoice", Env: "default", Opened: hr(2)},
	}
	if got := current(); !reflect.DeepEqual(got, want) {
		t.Errorf("incidents = %+v\nwant %+v", got, want)
	}
	if _, _, err := ResolveIncident(current(), 1, hr(4)); !errors.Is(err, store.ErrConflict) ||
		err.Error() != "incident 1 was already resolved at 2025-03-03T03:30:00Z" {
		t.Errorf("resolving twice: %v", err)
	}
	if _, _, err := ResolveIncident(current(), 7, hr(4)); !errors.Is(err, store.ErrNotFound) || err.Error() != "incident 7 does not exist" {
		t.Errorf("resolving an unknown incident: %v", err)
	}
}

func TestIncidentsBadData(t *testing.T) {
	evs := []store.Event{{Seq: 4, Type: store.EventIncidentOpened, Data: []byte(`[]`)}}
	if _, err := Incidents(evs); err == nil {
		t.Error("Incidents of an event with bad data: no error")
	}
}
