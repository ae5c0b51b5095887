package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/api"
)

// CreateToken makes an API token named name with role (viewer, deployer,
// admin or evaluator); its value is in the answer, and nowhere else ever.
func (c *Client) CreateToken(ctx context.Context, name, role string) (api.TokenCreated, error) {
	var out api.TokenCreated
	err := c.do(ctx, http.MethodPost, "/v1/tokens", api.TokenRequest{Name: name, Role: role}, &out)
	return out, err
}

// Tokens lists the API tokens, without their values.
func (c *Client) Tokens(ctx context.Context) ([]api.Token, error) {
	var out []api.Token
	err := c.do(ctx, http.MethodGet, "/v1/tokens", nil, &out)
	return out, err
}

// RevokeToken deletes the token named name: the server refuses it from
// then on.
func (c *Client) RevokeToken(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/v1/tokens/"+url.PathEscape(name), nil, nil)
}
