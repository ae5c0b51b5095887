package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/history"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/metrics"
	"github.com/slipway-dev/slipway/store"
)

func TestHistoryServesWhatTheRecorderSampled(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC))
	m := metrics.New(metrics.Options{Clock: clk.Now})
	var rec *history.Recorder
	a := newTestAPIWith(t, func(c *Config) {
		c.Token = "tok"
		rec = history.New(history.Config{Store: c.Store, Metrics: m, Clock: clk, Every: 5 * time.Second})
		c.History = rec
	})
	err := a.store.Update(t.Context(), func(tx store.Tx) error {
		return tx.PutService(store.Service{Name: "order", Revision: 2, Stable: 1, Canary: &store.Canary{Revision: 2, Stable: 1, Weight: 25}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		m.Observe(router.Sample{Service: "order", Revision: 2, Instance: "i", Status: 500, Duration: time.Millisecond})
	}
	clk.Advance(5 * time.Second)
	if err := rec.Record(t.Context()); err != nil {
		t.Fatal(err)
	}
	resp, body := a.do(t, "GET", "/v1/services/order/history", "tok", nil)
	var h api.History
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if h.EverySeconds != 5 || len(h.Points) != 1 || h.Points[0].Weight != 25 || len(h.Points[0].Revisions) != 2 {
		t.Fatalf("history %+v", h)
	}
	if c := h.Points[0].Revisions[1]; c.Role != "candidate" || c.Requests != 4 || c.Errors != 4 || c.SuccessRate != 0 {
		t.Errorf("candidate %+v", c)
	}
	resp, body = a.do(t, "GET", "/v1/history?since=2026-12-07T06:00:00Z", "tok", nil)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil || len(h.Points) != 1 || h.Points[0].Revisions[0].Errors != 4 {
		t.Errorf("router history: %d %s", resp.StatusCode, body)
	}
	resp, body = a.do(t, "GET", "/v1/history?since=2026-12-07T07:00:00Z", "tok", nil)
	if json.Unmarshal(body, &h) != nil || len(h.Points) != 0 {
		t.Errorf("since a later time: %d %s", resp.StatusCode, body)
	}
	for path, want := range map[string]int{
		"/v1/services/nope/history":   http.StatusNotFound,
		"/v1/history?since=yesterday": http.StatusBadRequest,
	} {
		if resp, body := a.do(t, "GET", path, "tok", nil); resp.StatusCode != want {
			t.Errorf("GET %s = %d %s; want %d", path, resp.StatusCode, body, want)
		}
	}
}
