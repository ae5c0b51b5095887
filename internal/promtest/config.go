package promtest

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
)

// config is a Prometheus configuration scraping targets every second,
// with token as a bearer token when it is set. Targets and token are
// JSON-quoted, which YAML reads as plain strings.
func config(targets []string, token string) []byte {
	var b bytes.Buffer
	b.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
	if len(targets) == 0 {
		return b.Bytes()
	}
	b.WriteString("scrape_configs:\n  - job_name: test\n    metrics_path: /metrics\n")
	if token != "" {
		fmt.Fprintf(&b, "    authorization:\n      credentials: %q\n", token)
	}
	b.WriteString("    static_configs:\n      - targets:\n")
	for _, t := range targets {
		fmt.Fprintf(&b, "          - %q\n", hostPort(t))
	}
	return b.Bytes()
}

// hostPort takes a URL's host:port, so that an httptest server's URL works
// as a target as well as its listener's address.
func hostPort(target string) string {
	if !strings.Contains(target, "://") {
		return target
	}
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		return u.Host
	}
	return target
}
