package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
)

// OFREP's evaluation paths (the same on Slipway and flagd).
const (
	pathFlag = "/ofrep/v1/evaluate/flags/" // + key
	pathBulk = "/ofrep/v1/evaluate/flags"
)

// users is how many subjects (targeting keys) the requests cycle
// through, so that the split buckets a different subject each time.
const users = 1024

// contextBody is an OFREP request body for subject u.
func contextBody(u int) []byte {
	b, _ := json.Marshal(map[string]any{"context": flagspec.Context("user-" + strconv.Itoa(u))})
	return b
}

// rawPOST is a POST as bytes, ready to write on a kept-alive
// connection, with the evaluation key and any extra header lines.
func rawPOST(addr, path string, body []byte, extra ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n",
		path, addr, flagKey, len(body))
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// singleRequests evaluate key, one request per subject.
func singleRequests(addr, key string) [][]byte {
	out := make([][]byte, users)
	for u := range out {
		out[u] = rawPOST(addr, pathFlag+key, contextBody(u))
	}
	return out
}

// bulkRequests evaluate every flag, one request per subject; with
// cached, each names the ETag its subject's answer had, for a 304.
func bulkRequests(ctx context.Context, addr string, n int, cached bool) ([][]byte, error) {
	out := make([][]byte, n)
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	for u := range out {
		body := contextBody(u)
		if !cached {
			out[u] = rawPOST(addr, pathBulk, body)
			continue
		}
		hdr := http.Header{}
		status, _, err := post(ctx, hc, "http://"+addr+pathBulk, body, hdr)
		if err != nil || status != http.StatusOK || hdr.Get("ETag") == "" {
			return nil, fmt.Errorf("bulk evaluation for its ETag: status %d, ETag %q: %v", status, hdr.Get("ETag"), err)
		}
		out[u] = rawPOST(addr, pathBulk, body, "If-None-Match: "+hdr.Get("ETag"))
	}
	return out, nil
}

// checkSingle checks that key evaluates for the bench context with a
// boolean value: that the load measures real evaluations, not errors.
func checkSingle(ctx context.Context, baseURL, key string) (string, error) {
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	status, body, err := post(ctx, hc, baseURL+pathFlag+key, contextBody(1), nil)
	if err != nil {
		return "", err
	}
	var r struct {
		Value  any    `json:"value"`
		Reason string `json:"reason"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
		return "", fmt.Errorf("evaluate %s: %d %s", key, status, body)
	}
	if _, ok := r.Value.(bool); !ok {
		return "", fmt.Errorf("evaluate %s: value %v, want a boolean: %s", key, r.Value, body)
	}
	return r.Reason, nil
}

// checkBulk checks that a bulk answer has want flags and no errors.
func checkBulk(ctx context.Context, baseURL string, want int) error {
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	status, body, err := post(ctx, hc, baseURL+pathBulk, contextBody(1), nil)
	if err != nil {
		return err
	}
	var r struct {
		Flags []struct {
			ErrorCode string `json:"errorCode"`
		} `json:"flags"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
		return fmt.Errorf("bulk evaluation: %d %.300s", status, body)
	}
	for _, f := range r.Flags {
		if f.ErrorCode != "" {
			return fmt.Errorf("bulk evaluation: a flag answered %s", f.ErrorCode)
		}
	}
	if len(r.Flags) != want {
		return fmt.Errorf("bulk evaluation: %d flags, want %d", len(r.Flags), want)
	}
	return nil
}

// post sends a JSON POST with the evaluation key and returns the status
// and the body; the answer's headers go to hdr when it is not nil.
func post(ctx context.Context, hc *http.Client, url string, body []byte, hdr http.Header) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+flagKey)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	for k, v := range resp.Header {
		if hdr != nil {
			hdr[k] = v
		}
	}
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}
