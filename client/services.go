package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slipway-dev/slipway/api"
)

// Services lists every service of the app.
func (c *Client) Services(ctx context.Context) ([]api.Service, error) {
	var ss []api.Service
	err := c.do(ctx, http.MethodGet, "/v1/services", nil, &ss)
	return ss, err
}

// Service returns one service; an unknown name is a not-found *Error.
func (c *Client) Service(ctx context.Context, name string) (api.Service, error) {
	var s api.Service
	err := c.do(ctx, http.MethodGet, servicePath(name), nil, &s)
	return s, err
}

// Revisions lists a service's revisions.
func (c *Client) Revisions(ctx context.Context, name string) ([]api.Revision, error) {
	var rs []api.Revision
	err := c.do(ctx, http.MethodGet, servicePath(name)+"/revisions", nil, &rs)
	return rs, err
}

// Rollback makes an earlier revision of a service the target again and
// returns the operation that does it.
func (c *Client) Rollback(ctx context.Context, name string, req api.RollbackRequest) (api.Operation, error) {
	var op api.Operation
	err := c.do(ctx, http.MethodPost, servicePath(name)+"/rollback", req, &op)
	return op, err
}

// Rollout applies a rollout verb (promote, pause, resume, abort, retry,
// set-weight) to a service's rollout in flight and returns the service
// as it stands after the edit; the server's controllers act on it.
func (c *Client) Rollout(ctx context.Context, name, verb string, req api.RolloutRequest) (api.Service, error) {
	var svc api.Service
	err := c.do(ctx, http.MethodPost, servicePath(name)+"/rollout/"+url.PathEscape(verb), req, &svc)
	return svc, err
}

// Logs copies a service's log lines ("instance | line") to w: the last
// lines (server default when 0) and, when follow is true, new lines until
// ctx is done or the server closes the stream. When ctx ends a follow, it
// returns ctx.Err().
func (c *Client) Logs(ctx context.Context, name string, lines int, follow bool, w io.Writer) error {
	q := url.Values{}
	if lines > 0 {
		q.Set("lines", strconv.Itoa(lines))
	}
	if follow {
		q.Set("follow", "true")
	}
	path := servicePath(name) + "/logs"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(flushWriter{w}, resp.Body); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("read logs of %s: %w", name, err)
	}
	return nil
}

func servicePath(name string) string { return "/v1/services/" + url.PathEscape(name) }

// flushWriter hides any ReaderFrom of the destination so io.Copy writes
// each chunk as it arrives (follow mode should show lines promptly).
type flushWriter struct{ w io.Writer }

func (f flushWriter) Write(p []byte) (int, error) { return f.w.Write(p) }

// Certificates lists the hosts the environment's TLS router manages
// certificates for over ACME, with each one's last state (failures
// first).
func (c *Client) Certificates(ctx context.Context) ([]api.Certificate, error) {
	var cs []api.Certificate
	err := c.do(ctx, http.MethodGet, "/v1/certificates", nil, &cs)
	return cs, err
}

// Restart asks for a rolling restart of a service's current revision and
// returns the service as it stands then (the instances to be replaced).
func (c *Client) Restart(ctx context.Context, name string) (api.Service, error) {
	var out api.Service
	err := c.do(ctx, http.MethodPost, servicePath(name)+"/restart", struct{}{}, &out)
	return out, err
}

// Scale sets a service's instances at run time, until an apply changes
// the spec's instances.
func (c *Client) Scale(ctx context.Context, name string, instances int) (api.Service, error) {
	var out api.Service
	err := c.do(ctx, http.MethodPost, servicePath(name)+"/scale", api.ScaleRequest{Instances: instances}, &out)
	return out, err
}

// Exec runs a one-off command in an instance of a service.
func (c *Client) Exec(ctx context.Context, name string, req api.ExecRequest) (api.ExecResult, error) {
	var out api.ExecResult
	err := c.do(ctx, http.MethodPost, servicePath(name)+"/exec", req, &out)
	return out, err
}

// ExecStream runs a one-off command in an instance of a service, writing
// its output to w as the command produces it, and returns how it ended
// (its Output empty: w got it).
func (c *Client) ExecStream(ctx context.Context, name string, req api.ExecRequest, w io.Writer) (api.ExecResult, error) {
	req.Stream = true
	body, err := json.Marshal(req)
	if err != nil {
		return api.ExecResult{}, fmt.Errorf("exec: encode request: %w", err)
	}
	hr, err := c.newRequest(ctx, http.MethodPost, servicePath(name)+"/exec", bytes.NewReader(body))
	if err != nil {
		return api.ExecResult{}, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/x-ndjson")
	resp, err := c.send(hr)
	if err != nil {
		return api.ExecResult{}, err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var ch api.ExecChunk
		if err := dec.Decode(&ch); err != nil {
			if ctx.Err() != nil {
				return api.ExecResult{}, ctx.Err()
			}
			return api.ExecResult{}, fmt.Errorf("exec in %s: the answer ended before the command's result: %w", name, err)
		}
		if ch.Result != nil {
			return *ch.Result, nil
		}
		if _, err := io.WriteString(flushWriter{w}, ch.Output); err != nil {
			return api.ExecResult{}, err
		}
	}
}

// Jobs returns a service's job runs with their output.
func (c *Client) Jobs(ctx context.Context, name string) (api.JobList, error) {
	var out api.JobList
	err := c.do(ctx, http.MethodGet, servicePath(name)+"/jobs", nil, &out)
	return out, err
}

// RunJob asks for one of a service's jobs to run by hand.
func (c *Client) RunJob(ctx context.Context, name, job string, req api.JobRunRequest) (api.JobRun, error) {
	var out api.JobRun
	err := c.do(ctx, http.MethodPost, servicePath(name)+"/jobs/"+url.PathEscape(job)+"/run", req, &out)
	return out, err
}

// Volumes returns the app's volumes with their sizes.
func (c *Client) Volumes(ctx context.Context) ([]api.Volume, error) {
	var out []api.Volume
	err := c.do(ctx, http.MethodGet, "/v1/volumes", nil, &out)
	return out, err
}

// RemoveVolume removes a volume's folder; refused while a revision
// mounts it.
func (c *Client) RemoveVolume(ctx context.Context, name string) (api.Volume, error) {
	var out api.Volume
	err := c.do(ctx, http.MethodDelete, "/v1/volumes/"+url.PathEscape(name), nil, &out)
	return out, err
}

// KubeManifests returns the YAML Slipway applies to the client's
// environment's cluster (a Kubernetes environment), for review.
func (c *Client) KubeManifests(ctx context.Context) ([]byte, error) {
	return c.kubeManifests(ctx, "/v1/kube/manifests")
}

// KubeInstallManifests returns the YAML that runs the server inside the
// cluster of the client's environment (a Kubernetes environment), in
// namespace with image, allowed to drive the environment's namespace.
func (c *Client) KubeInstallManifests(ctx context.Context, namespace, image string) ([]byte, error) {
	q := url.Values{"install": {"true"}, "namespace": {namespace}, "image": {image}}
	return c.kubeManifests(ctx, "/v1/kube/manifests?"+q.Encode())
}

func (c *Client) kubeManifests(ctx context.Context, path string) ([]byte, error) {
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
