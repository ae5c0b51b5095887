package shop

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		path   string
		status int
	}{
		{"greets", Options{Name: "order", Version: "v2"}, "/", 200},
		{"healthy", Options{Name: "order"}, "/healthz", 200},
		{"never ready", Options{Name: "order", NeverReady: true}, "/healthz", 503},
		{"always failing", Options{Name: "order", FailRate: 1}, "/", 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(tc.opts).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.path == "/" && tc.status == 200 {
				var body map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["version"] != tc.opts.Version {
					t.Fatalf("body %s: %v", rec.Body, err)
				}
			}
		})
	}
}

func TestFromEnvRejectsBadValues(t *testing.T) {
	t.Setenv("FAIL_RATE", "2")
	if _, err := FromEnv("x"); err == nil {
		t.Fatal("FAIL_RATE=2 accepted")
	}
	t.Setenv("FAIL_RATE", "0.2")
	t.Setenv("START_DELAY", "soon")
	if _, err := FromEnv("x"); err == nil {
		t.Fatal("START_DELAY=soon accepted")
	}
}
