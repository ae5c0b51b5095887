package client

import (
	"context"
	"net/http"

	"github.com/slipway-dev/slipway/api"
)

// DashboardLogin asks for a one-time dashboard login link for whoever
// the client's credentials are (over the Unix socket: the local user).
func (c *Client) DashboardLogin(ctx context.Context) (api.LoginLink, error) {
	var out api.LoginLink
	err := c.do(ctx, http.MethodPost, "/v1/dashboard/login", struct{}{}, &out)
	return out, err
}

// Whoami returns who the server takes the client's credentials to be.
func (c *Client) Whoami(ctx context.Context) (api.Whoami, error) {
	var out api.Whoami
	err := c.do(ctx, http.MethodGet, "/v1/whoami", nil, &out)
	return out, err
}
