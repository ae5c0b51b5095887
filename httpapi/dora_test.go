package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// TestDORA seeds a timeline 10 days back from the test clock (v1 and v2
// deployed, v2 with a commit made 2h earlier; v3 failing its rollout
// and restored 30s later) and reads the metrics over the default window
// and over one that leaves v1 out.
func TestDORA(t *testing.T) {
	a := newTestAPI(t, "")
	a.seedRevisions(t, "order", 3)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	day := func(d float64) time.Time { return now.Add(time.Duration(d * float64(24*time.Hour))) }
	evs := []store.Event{
		{Time: day(-10), Type: "service.rollout.started", Service: "order", Operation: 1},
		{Time: day(-10).Add(time.Minute), Type: "service.rollout.succeeded", Service: "order", Revision: 1, Operation: 1},
		{Time: day(-5), Type: "service.rollout.started", Service: "order", Operation: 2},
		{Time: day(-5).Add(time.Minute), Type: "service.rollout.succeeded", Service: "order", Revision: 2, Operation: 2,
			Data: []byte(`{"artifact":{"path":"bin/order","commit":"bbbbbbb","commitTime":"` + day(-5).Add(-2*time.Hour).Format(time.RFC3339) + `"}}`)},
		{Time: day(-1), Type: "service.rollout.started", Service: "order", Operation: 3},
		{Time: day(-1).Add(time.Minute), Type: "service.rollout.failed", Service: "order", Revision: 3, Operation: 3},
		{Time: day(-1).Add(time.Minute), Type: "service.rollback.started", Service: "order", Operation: 3},
		{Time: day(-1).Add(90 * time.Second), Type: "service.rollout.succeeded", Service: "order", Revision: 2, Operation: 3},
		{Time: day(-1).Add(2 * time.Minute), Type: "instance.ready", Service: "order", Revision: 2},
	}
	err := a.store.Update(t.Context(), func(tx store.Tx) error {
		for _, e := range evs {
			if _, err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := a.dora(t, "/v1/dora")
	if got.Env != "default" || !got.Production || got.Window != "90d" || got.LevelsYear != 2024 || !got.To.Equal(now) || !got.From.Equal(day(-90)) {
		t.Errorf("report header %+v", got)
	}
	m := got.Total
	if m.Deployments != 2 || m.Changes != 3 || m.ChangeFailures != 1 || m.RecoveryTime.MedianSeconds != 30 ||
		m.LeadTime.Count != 1 || m.LeadTime.MedianSeconds != 2*3600+60 || m.Level != "low" || m.Levels.LeadTime != "elite" {
		t.Errorf("total %+v", m)
	}
	if len(got.Services) != 1 || got.Services[0].Service != "order" || len(m.Failures) != 1 ||
		m.Failures[0].Cause != "rollout failed" || m.Failures[0].RecoveredBy != "rollback" || m.Failures[0].Revision != 3 {
		t.Errorf("services %+v, failures %+v", got.Services, m.Failures)
	}
	week := a.dora(t, "/v1/dora?service=order&env=default&window=7d")
	if w := week.Total; week.Window != "7d" || w.Deployments != 1 || w.Changes != 2 || w.DeploymentsPerWeek != 1 {
		t.Errorf("last 7 days: %+v", week)
	}
	var trend api.DORATrend
	if resp, body := a.do(t, "GET", "/v1/dora/trend?weeks=2&service=order", "", nil); resp.StatusCode != 200 || json.Unmarshal(body, &trend) != nil {
		t.Fatalf("trend: %d %s", resp.StatusCode, body)
	}
	if len(trend.Weeks) != 2 || !trend.Weeks[1].To.Equal(now) || !trend.Weeks[0].From.Equal(day(-14)) {
		t.Fatalf("trend weeks %+v", trend.Weeks)
	}
	if w0, w1 := trend.Weeks[0], trend.Weeks[1]; w0.Deployments != 1 || w0.ChangeFailures != 0 || w1.Deployments != 1 || w1.ChangeFailures != 1 ||
		len(w1.Failures) != 1 || w1.Failures[0].Revision != 3 || w1.Levels.ChangeFailureRate == "" {
		t.Errorf("trend: %+v then %+v", w0, w1)
	}
	for _, q := range []string{"weeks=0", "weeks=105", "weeks=x"} {
		if resp, body := a.do(t, "GET", "/v1/dora/trend?"+q, "", nil); resp.StatusCode != 400 {
			t.Errorf("trend?%s: %d %s; want 400", q, resp.StatusCode, body)
		}
	}
}

func (a *testAPI) dora(t *testing.T, path string) api.DORA {
	t.Helper()
	resp, body := a.do(t, "GET", path, "", nil)
	var out api.DORA
	if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("GET %s: status %d body %s", path, resp.StatusCode, body)
	}
	return out
}

func TestDORABadQueries(t *testing.T) {
	a := newTestAPI(t, "")
	for path, want := range map[string]string{
		"/v1/dora?window=ninety":  `window \"ninety\": want a length like 90d, 12w or 36h`,
		"/v1/dora?window=0d":      "must be longer than zero",
		"/v1/dora?env=prod":       `unknown environment \"prod\"`,
		"/v1/dora?service=nosuch": `service \"nosuch\" does not exist`,
	} {
		resp, body := a.do(t, "GET", path, "", nil)
		if resp.StatusCode/100 != 4 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: status %d body %s; want a 4xx containing %q", path, resp.StatusCode, body, want)
		}
	}
}
