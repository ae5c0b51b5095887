package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// Environments lists the environments the server hosts.
func (c *Client) Environments(ctx context.Context) ([]api.Environment, error) {
	var out []api.Environment
	err := c.do(ctx, http.MethodGet, "/v1/environments", nil, &out)
	return out, err
}

// PushVersion records an uploaded artifact (PutArtifact) as a version of
// a service.
func (c *Client) PushVersion(ctx context.Context, v api.Version) (api.Version, error) {
	var out api.Version
	err := c.do(ctx, http.MethodPost, "/v1/versions", v, &out)
	return out, err
}

// Versions lists a service's pushed versions, oldest first (every
// service's when service is "").
func (c *Client) Versions(ctx context.Context, service string) ([]api.Version, error) {
	var out []api.Version
	err := c.do(ctx, http.MethodGet, "/v1/versions?service="+url.QueryEscape(service), nil, &out)
	return out, err
}

// Deploy starts a deploy of a pushed version into the client's
// environment (WithEnv), through its gates.
func (c *Client) Deploy(ctx context.Context, service string, req api.DeployRequest) (api.Promotion, error) {
	var out api.Promotion
	err := c.do(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(service)+"/deploy", req, &out)
	return out, err
}

// Promote starts a promotion of what a service runs in req.From into
// req.To, through req.To's gates.
func (c *Client) Promote(ctx context.Context, service string, req api.PromoteRequest) (api.Promotion, error) {
	var out api.Promotion
	err := c.do(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(service)+"/promote-env", req, &out)
	return out, err
}

// Approve approves (or rejects) the promotion of a service waiting for
// approval in the client's environment.
func (c *Client) Approve(ctx context.Context, service string, req api.ApproveRequest) (api.Promotion, error) {
	var out api.Promotion
	err := c.do(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(service)+"/approve", req, &out)
	return out, err
}

// Pipeline reports where each version of a service stands in each
// environment.
func (c *Client) Pipeline(ctx context.Context, service string) (api.Pipeline, error) {
	var out api.Pipeline
	err := c.do(ctx, http.MethodGet, "/v1/pipeline/"+url.PathEscape(service), nil, &out)
	return out, err
}

// Down asks for the client's environment to be taken down (its
// controllers stop, then its instances are drained and stopped), by
// whom. It returns once the server recorded the request; WaitDown waits
// for the take-down to be over.
func (c *Client) Down(ctx context.Context, by string) error {
	return c.do(ctx, http.MethodPost, "/v1/down", api.DownRequest{By: by}, nil)
}

// WaitDown waits until the client's environment is no longer being
// taken down, polling every interval, or until ctx ends.
func (c *Client) WaitDown(ctx context.Context, interval time.Duration) error {
	for {
		envs, err := c.Environments(ctx)
		if err != nil {
			return err
		}
		if !goingDown(envs, c.env) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for environment %s to be down: %w", c.env, ctx.Err())
		case <-time.After(interval):
		}
	}
}

// goingDown reports whether envs has name (or the default one, for "")
// going down.
func goingDown(envs []api.Environment, name string) bool {
	if name == "" {
		name = "default"
	}
	for _, e := range envs {
		if e.Name == name {
			return e.Down
		}
	}
	return false
}

// CancelPromotion cancels the promotion of a service into the client's
// environment that waits at its gates.
func (c *Client) CancelPromotion(ctx context.Context, service, by string) (api.Promotion, error) {
	var out api.Promotion
	err := c.do(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(service)+"/promotion/cancel", api.ApproveRequest{By: by}, &out)
	return out, err
}
