package main

import (
	"context"
	"net/http"
	"strings"
)

// httpOK reports whether GET url answers 200.
func httpOK(ctx context.Context, hc *http.Client, url string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, strings.TrimPrefix(err.Error(), "Get ")
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}
