package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/api"
)

// Flags lists the feature flags as they are served; only the stale ones
// when stale is set.
func (c *Client) Flags(ctx context.Context, stale bool) ([]api.Flag, error) {
	path := "/v1/flags"
	if stale {
		path += "?stale=true"
	}
	var fs []api.Flag
	err := c.do(ctx, http.MethodGet, path, nil, &fs)
	return fs, err
}

// Flag returns one feature flag as it is served.
func (c *Client) Flag(ctx context.Context, key string) (api.Flag, error) {
	var f api.Flag
	err := c.do(ctx, http.MethodGet, flagPath(key), nil, &f)
	return f, err
}

// EditFlag applies a run-time change (enable, disable, kill, set,
// rollout) to a flag and returns it as it is served after.
func (c *Client) EditFlag(ctx context.Context, key, verb string, req api.FlagRequest) (api.Flag, error) {
	var f api.Flag
	err := c.do(ctx, http.MethodPost, flagPath(key)+"/"+url.PathEscape(verb), req, &f)
	return f, err
}

// EvaluateFlag evaluates a flag for a context, as OFREP would.
func (c *Client) EvaluateFlag(ctx context.Context, key string, evalCtx map[string]any) (api.FlagEvaluation, error) {
	var e api.FlagEvaluation
	err := c.do(ctx, http.MethodPost, flagPath(key)+"/evaluate", api.EvaluateRequest{Context: evalCtx}, &e)
	return e, err
}

func flagPath(key string) string { return "/v1/flags/" + url.PathEscape(key) }
