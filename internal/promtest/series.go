package promtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// WaitForSeries polls an instant query until it returns at least one
// sample (the first scrape of the series has landed), failing t with the
// last answer and Prometheus's log if timeout passes first.
func (s *Server) WaitForSeries(t testing.TB, query string, timeout time.Duration) {
	t.Helper()
	client, err := api.NewClient(api.Config{Address: s.URL})
	if err != nil {
		t.Fatalf("prometheus client: %v", err)
	}
	prom := v1.NewAPI(client)
	deadline := time.Now().Add(timeout)
	var last string
	for {
		n, err := count(prom, query)
		if err == nil && n > 0 {
			return
		}
		last = fmt.Sprintf("%d samples, error %v", n, err)
		if time.Now().After(deadline) {
			t.Fatalf("no series for %q after %s (last: %s); prometheus log:\n%s",
				query, timeout, last, s.log.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count runs one instant query and counts the samples it returns.
func count(prom v1.API, query string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	val, _, _, err := prom.Query(ctx, query, time.Time{})
	if err != nil {
		return 0, err
	}
	switch v := val.(type) {
	case model.Vector:
		return len(v), nil
	case model.Matrix:
		return len(v), nil
	case *model.Scalar:
		return 1, nil
	}
	return 0, nil
}
