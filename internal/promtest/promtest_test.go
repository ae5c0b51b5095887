package promtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		targets []string
		want    []string
		absent  []string
	}{
		{"no targets", nil, []string{"scrape_interval: 1s", "evaluation_interval: 1s"}, []string{"scrape_configs"}},
		{"address", []string{"127.0.0.1:8080"}, []string{"metrics_path: /metrics", `- "127.0.0.1:8080"`}, nil},
		{"URL", []string{"http://127.0.0.1:8080"}, []string{`- "127.0.0.1:8080"`}, []string{"http://"}},
		{"several", []string{"127.0.0.1:1", "127.0.0.1:2"}, []string{`- "127.0.0.1:1"`, `- "127.0.0.1:2"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(config(tc.targets, ""))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("config lacks %q:\n%s", w, got)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(got, a) {
					t.Errorf("config has %q:\n%s", a, got)
				}
			}
		})
	}
}

// TestStart runs a real Prometheus against a target serving one metric,
// waits for its first scrape, and checks the server is gone once its test
// has ended.
func TestStart(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("# TYPE promtest_up gauge\npromtest_up 1\n"))
	}))
	defer target.Close()

	var url string
	t.Run("scrape", func(t *testing.T) {
		start := time.Now()
		s := Start(t, target.Listener.Addr().String())
		ready := time.Since(start)
		s.WaitForSeries(t, `promtest_up == 1`, 30*time.Second)
		t.Logf("ready after %s, first scrape after %s", ready, time.Since(start))
		url = s.URL
	})
	if url == "" {
		return // skipped: no binary
	}
	if resp, err := http.Get(url + "/-/ready"); err == nil {
		resp.Body.Close()
		t.Errorf("prometheus at %s still answers after its test ended", url)
	}
}

func TestLogTail(t *testing.T) {
	var l logBuffer
	for i := range tailLines + 5 {
		_, _ = l.Write([]byte(strings.Repeat("x", i) + "\n"))
	}
	lines := strings.Split(l.tail(), "\n")
	if len(lines) != tailLines || lines[0] != strings.Repeat("x", 5) {
		t.Errorf("tail = %d lines starting %q, want %d starting with 5 x", len(lines), lines[0], tailLines)
	}
}
