package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/slipway-dev/slipway/api"
)

// DORAQuery selects the DORA metrics to read; empty fields take the
// server's defaults (every service, production, the last 90 days).
type DORAQuery struct {
	Service string
	Env     string
	// Window is a length like "90d", "12w" or "36h".
	Window string
}

// DORA returns the DORA metrics of an environment over a window.
func (c *Client) DORA(ctx context.Context, q DORAQuery) (api.DORA, error) {
	var out api.DORA
	path := "/v1/dora" + query("service", q.Service, "env", q.Env, "window", q.Window)
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// OpenIncident records an incident and returns it with its ID.
func (c *Client) OpenIncident(ctx context.Context, req api.IncidentRequest) (api.Incident, error) {
	var out api.Incident
	err := c.do(ctx, http.MethodPost, "/v1/incidents", req, &out)
	return out, err
}

// ResolveIncident marks incident id resolved and returns it; resolving
// it twice is a conflict *Error.
func (c *Client) ResolveIncident(ctx context.Context, id int) (api.Incident, error) {
	var out api.Incident
	err := c.do(ctx, http.MethodPost, "/v1/incidents/"+strconv.Itoa(id)+"/resolve", struct{}{}, &out)
	return out, err
}

// Incidents lists incidents, oldest first: of one service when service is
// not empty, only the open ones when openOnly is set.
func (c *Client) Incidents(ctx context.Context, service string, openOnly bool) ([]api.Incident, error) {
	var out []api.Incident
	open := ""
	if openOnly {
		open = "true"
	}
	err := c.do(ctx, http.MethodGet, "/v1/incidents"+query("service", service, "open", open), nil, &out)
	return out, err
}
