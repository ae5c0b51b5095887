package client

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Backup asks the server for a consistent copy of its data (POST
// /v1/backup) and copies the tar it streams to w. A stream cut short is
// an error (the server aborts a failed stream): the caller must not keep
// what it wrote.
func (c *Client) Backup(ctx context.Context, w io.Writer) (int64, error) {
	req, err := c.newRequest(ctx, "POST", "/v1/backup", strings.NewReader("{}"))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/x-tar")
	resp, err := c.send(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("POST /v1/backup: read the backup: %w", err)
	}
	return n, nil
}
