package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/api"
)

// SetSecret stores value as the secret's next version in the client's
// environment (unless the latest holds it already: Stored is then false).
func (c *Client) SetSecret(ctx context.Context, name, value string) (api.Secret, error) {
	var out api.Secret
	err := c.do(ctx, http.MethodPost, "/v1/secrets/"+url.PathEscape(name), api.SecretRequest{Value: value}, &out)
	return out, err
}

// Secrets lists the client's environment's secrets, never their values.
func (c *Client) Secrets(ctx context.Context) ([]api.Secret, error) {
	var out []api.Secret
	err := c.do(ctx, http.MethodGet, "/v1/secrets", nil, &out)
	return out, err
}

// Notifications returns each notification destination's delivery in the
// client's environment.
func (c *Client) Notifications(ctx context.Context) ([]api.NotificationStatus, error) {
	var out []api.NotificationStatus
	err := c.do(ctx, http.MethodGet, "/v1/notifications", nil, &out)
	return out, err
}
