package server

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// stream is an open live view, read as an EventSource would.
type stream struct {
	frags chan string
	done  chan struct{}
}

// openStream opens a service's live stream and hands each fragment's
// data to frags until the stream ends (done closes).
func openStream(t *testing.T, b *browser, path string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", b.srv.URL+path, nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("live: %d", resp.StatusCode)
	}
	s := &stream{frags: make(chan string, 16), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var data []string
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case line == "" && data != nil:
				s.frags <- strings.Join(data, "\n")
				data = nil
			}
		}
	}()
	return s
}

// next returns the next fragment, failing after 5s (the live view polls
// only hourly in these tests: a fragment within 5s was woken by the
// store).
func (s *stream) next(t *testing.T) string {
	t.Helper()
	select {
	case f := <-s.frags:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no fragment within 5s")
	}
	return ""
}

// TestDashboardLiveFollowsTheStore: the live view redraws when the store
// commits a write (the controller's next step), not on a poll; a write
// that changes nothing it shows sends nothing.
func TestDashboardLiveFollowsTheStore(t *testing.T) {
	s := newDashStack(t, 2)
	b := s.browser(t)
	b.loginToken(t, "viewer-secret")
	st := openStream(t, b, "/services/svc000/live")
	if f := st.next(t); !strings.Contains(f, "pause until promoted <strong>(current)") {
		t.Fatalf("first fragment:\n%.600s", f)
	}
	step := func(fn func(*store.Service)) {
		err := s.notify.Update(context.Background(), func(tx store.Tx) error {
			svc, err := tx.GetService("svc000")
			if err != nil {
				return err
			}
			fn(&svc)
			return tx.PutService(svc)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	step(func(svc *store.Service) { svc.Canary.Step, svc.Canary.Paused, svc.Canary.Weight = 2, false, 20 })
	if f := st.next(t); !strings.Contains(f, "set weight 20% <strong>(current)") {
		t.Errorf("after the step the fragment does not show step 3 current:\n%.600s", f)
	}
	err := s.notify.Update(context.Background(), func(tx store.Tx) error { // another service: nothing to redraw
		_, err := tx.AppendEvent(store.Event{Type: store.EventRolloutSucceeded, Service: "svc001", Revision: 2})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-st.frags:
		t.Errorf("a write that changes nothing shown sent a fragment:\n%.300s", f)
	case <-time.After(500 * time.Millisecond):
	}
	step(func(svc *store.Service) {
		svc.Canary.Outcome, svc.Stable, svc.Phase = store.CanaryPromoted, 2, store.PhaseReady
	})
	if f := st.next(t); !strings.Contains(f, "was promoted") {
		t.Errorf("after the promotion:\n%.600s", f)
	}
}
