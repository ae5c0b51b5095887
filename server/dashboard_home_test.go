package server

import (
	"context"
	"regexp"
	"strings"
	"testing"

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
