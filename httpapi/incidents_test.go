package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// seedRevisions stores n revisions of service.
func (a *testAPI) seedRevisions(t *testing.T, service string, n int) {
	t.Helper()
	err := a.store.Update(t.Context(), func(tx store.Tx) error {
		for range n {
			r := store.Revision{Service: service, Spec: spec.Service{Run: []string{"./x"}}, State: store.RevisionStable}
			if _, err := tx.CreateRevision(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (a *testAPI) eventCount(t *testing.T) int {
	t.Helper()
	var n int
	err := a.store.View(t.Context(), func(tx store.Tx) error {
		evs, err := tx.ListEvents(0, "", 0)
		n = len(evs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIncidents(t *testing.T) {
	a := newTestAPI(t, "")
	a.seedRevisions(t, "order", 3)
	resp, body := a.do(t, "POST", "/v1/incidents", "", api.IncidentRequest{Service: "order", CausedBy: 2, Title: " checkout 500s "})
	var in api.Incident
	if resp.StatusCode != 201 || json.Unmarshal(body, &in) != nil {
		t.Fatalf("open: status %d body %s", resp.StatusCode, body)
	}
	if in.ID != 1 || in.Env != "default" || in.CausedBy != 2 || in.Title != "checkout 500s" || !in.Resolved.IsZero() {
		t.Errorf("opened %+v", in)
	}
	resp, body = a.do(t, "POST", "/v1/incidents", "", api.IncidentRequest{Service: "order", Env: "default"})
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"id": 2`) {
		t.Fatalf("open with no cause: status %d body %s", resp.StatusCode, body)
	}
	resp, body = a.do(t, "POST", "/v1/incidents/1/resolve", "", "{}")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"resolved": "2026-11-26T12:00:00Z"`) {
		t.Fatalf("resolve: status %d body %s", resp.StatusCode, body)
	}
	for query, want := range map[string]int{"": 2, "?open=true": 1, "?service=invoice": 0} {
		var list []api.Incident
		resp, body = a.do(t, "GET", "/v1/incidents"+query, "", nil)
		if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || len(list) != want {
			t.Errorf("GET /v1/incidents%s: status %d, %d incidents; want %d\n%s", query, resp.StatusCode, len(list), want, body)
		}
	}
	var evs []api.Event
	_, body = a.do(t, "GET", "/v1/events", "", nil)
	if json.Unmarshal(body, &evs) != nil || len(evs) != 3 || evs[0].Type != "incident.opened" || evs[2].Type != "incident.resolved" {
		t.Errorf("events: %s", body)
	}
}

func TestIncidentBadInputChangesNothing(t *testing.T) {
	a := newTestAPI(t, "")
	a.seedRevisions(t, "order", 3)
	a.do(t, "POST", "/v1/incidents", "", api.IncidentRequest{Service: "order"})
	a.do(t, "POST", "/v1/incidents/1/resolve", "", "{}")
	before := a.eventCount(t)
	for _, tc := range []struct {
		path     string
		body     any
		status   int
		contains string
	}{
		{"/v1/incidents", api.IncidentRequest{Service: "nosuch"}, 404, `service \"nosuch\" does not exist`},
		{"/v1/incidents", api.IncidentRequest{Service: "order", CausedBy: 9}, 404, "service order has no revision 9 (revisions 1 to 3)"},
		{"/v1/incidents", api.IncidentRequest{Service: "order", CausedBy: -1}, 400, "causedBy: want a revision number"},
		{"/v1/incidents", api.IncidentRequest{Service: "order", Env: "prod"}, 400, `unknown environment \"prod\" (environments: default)`},
		{"/v1/incidents", api.IncidentRequest{}, 400, "service: required"},
		{"/v1/incidents", api.IncidentRequest{Service: "order", Title: strings.Repeat("x", 201)}, 400, "title: at most 200 bytes"},
		{"/v1/incidents", api.IncidentRequest{Service: "order", Title: "a\nb"}, 400, "title: one line"},
		{"/v1/incidents", `{"service": "order", "cause": 2}`, 400, "unknown field"},
		{"/v1/incidents/1/resolve", "{}", 409, "incident 1 was already resolved at 2026-11-26T12:00:00Z"},
		{"/v1/incidents/7/resolve", "{}", 404, "incident 7 does not exist"},
		{"/v1/incidents/x/resolve", "{}", 400, `incident id: want a positive integer, got \"x\"`},
	} {
		resp, body := a.do(t, "POST", tc.path, "", tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
			t.Errorf("POST %s %v: status %d body %s; want %d containing %q", tc.path, tc.body, resp.StatusCode, body, tc.status, tc.contains)
		}
	}
	if after := a.eventCount(t); after != before {
		t.Errorf("refused requests appended %d events", after-before)
	}
}
