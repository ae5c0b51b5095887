package server

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// TestDashboardHomeStrategyAndLastEvent: the strategy column says what
// the service's spec asks for (not what its rollout state looks like),
// and a service's last event is found however many events of others
// came after it.
func TestDashboardHomeStrategyAndLastEvent(t *testing.T) {
	s := newDashStack(t, 3)
	err := s.notify.Update(context.Background(), func(tx store.Tx) error {
		svc, err := tx.GetService("svc002") // a preview in its state, a rolling spec
		if err != nil {
			return err
		}
		svc.Traffic.Active, svc.Traffic.Preview = 2, 1
		if err := tx.PutService(svc); err != nil {
			return err
		}
		for range 1200 {
			if _, err := tx.AppendEvent(store.Event{Type: store.EventInstanceReady, Service: "svc001", Message: "svc001 ready"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.loginToken(t, "viewer-secret")
	_, page := b.do(t, "GET", "/", "")
	rows := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<tr><td>default</td><td><a [^>]*>(svc\d+)</a></td>(.*?)</tr>`).FindAllStringSubmatch(page, -1) {
		rows[m[1]] = m[2]
	}
	for svc, want := range map[string][]string{
		"svc000": {"<td>canary</td>", "svc000 converged"},
		"svc001": {"<td>rolling</td>", "svc001 ready"},
		"svc002": {"<td>rolling</td>", "svc002 converged"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[svc], w) {
				t.Errorf("%s's row does not say %q:\n%s", svc, w, rows[svc])
			}
		}
	}
}

// TestDashboardDORATrend: the DORA page shows twelve weeks, each rated,
// and links a failure and its incident to the revision that caused it.
func TestDashboardDORATrend(t *testing.T) {
	s := newDashStack(t, 1)
	now := s.clock.Now()
	err := s.notify.Update(context.Background(), func(tx store.Tx) error {
		for _, e := range []store.Event{
			{Time: now.Add(-20 * 24 * time.Hour), Type: store.EventRolloutStarted, Service: "svc000", Operation: 7},
			{Time: now.Add(-20*24*time.Hour + time.Minute), Type: store.EventRolloutSucceeded, Service: "svc000", Revision: 2, Operation: 7},
			{Time: now.Add(-19 * 24 * time.Hour), Type: store.EventIncidentOpened, Service: "svc000", Revision: 2,
				Data: []byte(`{"id":1,"env":"default","causedBy":2,"title":"checkout errors"}`)},
		} {
			if _, err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.loginToken(t, "viewer-secret")
	resp, page := b.do(t, "GET", "/dora", "")
	if resp.StatusCode != 200 {
		t.Fatalf("dora: %d %.500s", resp.StatusCode, page)
	}
	if n := strings.Count(page, `<tr><th scope="row">`); n != 12 {
		t.Errorf("%d weeks in the trend table; want 12", n)
	}
	for _, want := range []string{
		`<a href="/services/svc000/revisions?a=1&amp;b=2">svc000 r2</a>: incident (incident 1)`,
		`caused by <a href="/services/svc000/revisions?a=1&amp;b=2">r2</a>`,
		`1 of 1 <span class="chip">svc000 r2</span> <span class="quiet">low</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the DORA page does not say %s", want)
		}
	}
}
