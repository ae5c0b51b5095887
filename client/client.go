package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/slipway-dev/slipway/api"
)

// DefaultServer is the address a local "slipway server" listens on.
const DefaultServer = "http://127.0.0.1:7400"

// Client calls one Slipway server. It is safe for concurrent use.
type Client struct {
	// server is the address New was given; base the URL requests go to
	// (http://localhost for a Unix socket).
	server string
	base   string
	token  string
	env    string
	http   *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithToken sends token as "Authorization: Bearer <token>" on every request.
func WithToken(token string) Option {
	return func(c *Client) { c.token = token }
}

// WithEnv makes every request name an environment (the server's
// "default" when empty).
func WithEnv(name string) Option {
	return func(c *Client) { c.env = name }
}

// WithHTTPClient makes the Client send its requests through hc. Streaming
// calls (Logs, FollowEvents) last as long as their context, so hc should
// not set a Timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.http = hc }
}

// New returns a Client for the server at baseURL (for example
// "http://127.0.0.1:7400", or "unix:///path/slipway.sock" for a Unix
// socket). A baseURL without a scheme gets "http://".
func New(baseURL string, opts ...Option) *Client {
	if !strings.Contains(baseURL, "://") {
		baseURL = "http://" + baseURL
	}
	c := &Client{server: baseURL, base: strings.TrimRight(baseURL, "/"), http: &http.Client{}}
	if path, ok := strings.CutPrefix(baseURL, "unix://"); ok {
		c.base, c.http = "http://localhost", &http.Client{Transport: unixTransport(path)}
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// BaseURL returns the server address the Client talks to, as New was
// given it.
func (c *Client) BaseURL() string { return c.server }

// unixTransport dials the Unix socket at path for every request.
func unixTransport(path string) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
}

// newRequest builds a request for path (which may carry a query) relative
// to the server's base URL.
func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.env != "" {
		req.Header.Set(api.HeaderEnv, c.env)
	}
	req.Header.Set("User-Agent", "slipway-client")
	return req, nil
}

// send performs req. It returns the response only when its status is 2xx;
// otherwise it closes the body and returns an *Error, or an unreachable
// error when no connection could be made.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(req, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// do sends a request with an optional JSON body and decodes a JSON
// response into out (when out is not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

// query encodes the non-empty values of kv (key, value, key, value...)
// as "?k=v&...", or "" when all are empty.
func query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
