package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestCountsFailures(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := Run(ctx, Config{URL: srv.URL, Workers: 2})
	if res.Sent < 8 || res.Failed == 0 || res.OK+res.Failed != res.Sent {
		t.Fatalf("result %+v", res)
	}
	if ratio := float64(res.Failed) / float64(res.Sent); ratio < 0.2 || ratio > 0.3 {
		t.Fatalf("failed ratio %.2f, want about 0.25", ratio)
	}
}
