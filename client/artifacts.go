package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// HasArtifact reports whether the server already stores the artifact with
// the given digest ("sha256:<hex>").
func (c *Client) HasArtifact(ctx context.Context, digest string) (bool, error) {
	req, err := c.newRequest(ctx, http.MethodHead, artifactPath(digest), nil)
	if err != nil {
		return false, err
	}
	resp, err := c.send(req)
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return true, nil
}

// PutArtifact uploads the content of r as the artifact with the given
// digest. The server checks the digest and rejects a mismatch.
func (c *Client) PutArtifact(ctx context.Context, digest string, r io.Reader) error {
	req, err := c.newRequest(ctx, http.MethodPut, artifactPath(digest), r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

func artifactPath(digest string) string { return "/v1/artifacts/" + url.PathEscape(digest) }
