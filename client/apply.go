package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/slipway-dev/slipway/api"
)

// Health asks whether the server is up, and which version it runs.
func (c *Client) Health(ctx context.Context) (api.Health, error) {
	var h api.Health
	err := c.do(ctx, http.MethodGet, "/v1/health", nil, &h)
	return h, err
}

// Validate asks the server to validate a spec and returns the plan it
// would make. An invalid spec is an *Error of kind api.KindInvalid whose
// Problems name every problem.
func (c *Client) Validate(ctx context.Context, req api.ApplyRequest) (api.Plan, error) {
	var p api.Plan
	err := c.do(ctx, http.MethodPost, "/v1/validate", req, &p)
	return p, err
}

// Plan returns what applying req would change, changing nothing.
func (c *Client) Plan(ctx context.Context, req api.ApplyRequest) (api.Plan, error) {
	var p api.Plan
	err := c.do(ctx, http.MethodPost, "/v1/plan", req, &p)
	return p, err
}

// Apply makes req the desired state of the app. The response's Operation
// is nil when the plan is empty.
func (c *Client) Apply(ctx context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
	var r api.ApplyResponse
	err := c.do(ctx, http.MethodPost, "/v1/apply", req, &r)
	return r, err
}

// Operation returns the operation with the given id.
func (c *Client) Operation(ctx context.Context, id int64) (api.Operation, error) {
	var op api.Operation
	err := c.do(ctx, http.MethodGet, "/v1/operations/"+strconv.FormatInt(id, 10), nil, &op)
	return op, err
}

// Operations lists operations; only the running ones when active is true.
func (c *Client) Operations(ctx context.Context, active bool) ([]api.Operation, error) {
	path := "/v1/operations"
	if active {
		path += "?active=true"
	}
	var ops []api.Operation
	err := c.do(ctx, http.MethodGet, path, nil, &ops)
	return ops, err
}
