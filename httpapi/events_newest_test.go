package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

func TestEventsNewestFirst(t *testing.T) {
	a := newTestAPI(t, "tok")
	err := a.store.Update(t.Context(), func(tx store.Tx) error {
		for _, svc := range []string{"a", "b", "a", "c"} {
			if _, err := tx.AppendEvent(store.Event{Type: store.EventRolloutStarted, Service: svc}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]int64{
		"/v1/events?order=newest":                         {4, 3, 2, 1},
		"/v1/events?order=newest&limit=1&service=a":       {3},
		"/v1/events?order=newest&before=3":                {2, 1},
		"/v1/events?order=newest&service=b&before=2":      nil,
		"/v1/events?order=oldest&after=2&limit=1":         {3},
		"/v1/events?order=newest&service=nobody&limit=10": nil,
	} {
		resp, body := a.do(t, "GET", path, "tok", nil)
		var evs []api.Event
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &evs) != nil {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
			continue
		}
		var got []int64
		for _, e := range evs {
			got = append(got, e.Seq)
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) || (len(got) > 1 && got[len(got)-1] != want[len(want)-1]) {
			t.Errorf("GET %s: seqs %v, want %v", path, got, want)
		}
	}
	for _, path := range []string{"/v1/events?order=sideways", "/v1/events?order=newest&after=1", "/v1/events?order=newest&before=-1"} {
		if resp, body := a.do(t, "GET", path, "tok", nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s; want 400", path, resp.StatusCode, body)
		}
	}
}
