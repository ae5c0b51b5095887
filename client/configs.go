package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slipway-dev/slipway/api"
)

// Configs lists the dynamic configurations: each one's latest version
// and delivery.
func (c *Client) Configs(ctx context.Context) ([]api.Config, error) {
	var out []api.Config
	err := c.do(ctx, http.MethodGet, "/v1/configs", nil, &out)
	return out, err
}

// Config returns version n of a config (its latest when n is 0) with
// its delivery.
func (c *Client) Config(ctx context.Context, name string, n int) (api.Config, error) {
	path := configPath(name)
	if n > 0 {
		path += "?version=" + strconv.Itoa(n)
	}
	var out api.Config
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// ConfigVersions returns every version of a config, newest first.
func (c *Client) ConfigVersions(ctx context.Context, name string) ([]api.ConfigVersion, error) {
	var out []api.ConfigVersion
	err := c.do(ctx, http.MethodGet, configPath(name)+"/versions", nil, &out)
	return out, err
}

// EditConfig stores a new version of a config (set, push or rollback,
// checked first) and returns the config after.
func (c *Client) EditConfig(ctx context.Context, name string, req api.ConfigRequest) (api.Config, error) {
	var out api.Config
	err := c.do(ctx, http.MethodPost, configPath(name)+"/versions", req, &out)
	return out, err
}

// ConfigDiff returns what changed from version from to version to (0:
// the latest, and the one before it).
func (c *Client) ConfigDiff(ctx context.Context, name string, from, to int) (api.ConfigDiff, error) {
	q := url.Values{}
	if from > 0 {
		q.Set("from", strconv.Itoa(from))
	}
	if to > 0 {
		q.Set("to", strconv.Itoa(to))
	}
	path := configPath(name) + "/diff"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out api.ConfigDiff
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// StopConfig stops a config's delivery in flight: its instances go back
// to the previous version.
func (c *Client) StopConfig(ctx context.Context, name, reason string) (api.Config, error) {
	var out api.Config
	err := c.do(ctx, http.MethodPost, configPath(name)+"/stop", api.ConfigRequest{Reason: reason}, &out)
	return out, err
}

func configPath(name string) string { return "/v1/configs/" + url.PathEscape(name) }
