package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

func TestDORAAndIncidentRequests(t *testing.T) {
	var seen []string
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		switch r.URL.Path {
		case "/v1/dora":
			writeJSON(w, 200, api.DORA{Env: "default", LevelsYear: 2024})
		case "/v1/incidents":
			if r.Method == http.MethodGet {
				writeJSON(w, 200, []api.Incident{{ID: 1}})
				return
			}
			var req api.IncidentRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Service != "order" || req.CausedBy != 3 {
				t.Errorf("incident request %+v, %v", req, err)
			}
			writeJSON(w, 201, api.Incident{ID: 4, Service: req.Service, CausedBy: req.CausedBy})
		default:
			if r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("resolve without a JSON body: the server refuses a POST that is not JSON")
			}
			writeJSON(w, 409, api.ErrorBody{Error: api.ErrorDetail{Kind: api.KindConflict, Message: "incident 4 was already resolved"}})
		}
	})
	ctx := context.Background()
	if d, err := c.DORA(ctx, client.DORAQuery{Service: "order", Window: "7d"}); err != nil || d.LevelsYear != 2024 {
		t.Errorf("DORA = %+v, %v", d, err)
	}
	if in, err := c.OpenIncident(ctx, api.IncidentRequest{Service: "order", CausedBy: 3}); err != nil || in.ID != 4 {
		t.Errorf("OpenIncident = %+v, %v", in, err)
	}
	var e *client.Error
	if _, err := c.ResolveIncident(ctx, 4); !errors.As(err, &e) || e.Kind != api.KindConflict {
		t.Errorf("ResolveIncident twice = %v, want a conflict", err)
	}
	if is, err := c.Incidents(ctx, "order", true); err != nil || len(is) != 1 {
		t.Errorf("Incidents = %+v, %v", is, err)
	}
	want := []string{
		"GET /v1/dora?service=order&window=7d",
		"POST /v1/incidents",
		"POST /v1/incidents/4/resolve",
		"GET /v1/incidents?open=true&service=order",
	}
	if len(seen) != len(want) {
		t.Fatalf("requests %v", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("request %d = %q, want %q", i, seen[i], want[i])
		}
	}
}
