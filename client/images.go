package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/slipway-dev/slipway/api"
)

// PutImage uploads an image file, a docker-save tarball or an OCI image
// layout folder written as a tar stream, for the server to store; name
// (a repository like shop/order, optional) is what its reference says.
func (c *Client) PutImage(ctx context.Context, name string, r io.Reader) (api.Image, error) {
	path := "/v1/images" + query("name", name)
	req, err := c.newRequest(ctx, http.MethodPut, path, r)
	if err != nil {
		return api.Image{}, err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(req)
	if err != nil {
		return api.Image{}, err
	}
	defer resp.Body.Close()
	var out api.Image
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return api.Image{}, fmt.Errorf("PUT %s: decode response: %w", path, err)
	}
	return out, nil
}
