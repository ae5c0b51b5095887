package httpjson

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody caps how much of an answer is read: a check's JSON is small, and
// a URL pointing at something large must not fill the server's memory.
const maxBody = 1 << 20

// snippetLen is how much of a body an error quotes.
const snippetLen = 200

// get fetches url and returns its body, which must be a 2xx answer of at
// most maxBody bytes.
func (p *Provider) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("status %s: %s", resp.Status, snippet(body))
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("body larger than %d KiB", maxBody>>10)
	}
	return body, nil
}

// snippet is the start of a body, on one line, for an error message.
func snippet(body []byte) string {
	s := string(body)
	if len(s) > snippetLen {
		s = s[:snippetLen] + "..."
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty body)"
	}
	return fmt.Sprintf("%q", s)
}
