package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/storetest"
)

// seeded is the real API over a memory store holding flagSpec, applied
// (operation 1 still running: no controller runs here).
type seeded struct {
	h     http.Handler
	store store.Store
}

// newSeeded applies flagSpec to a new memory store through the API.
func newSeeded(tb testing.TB, dir string) seeded {
	tb.Helper()
	st := store.NewMemory()
	h := New(Config{Store: st, Artifacts: artifact.New(dir), Logs: noLogs{},
		Clock:   clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)),
		Enqueue: func(queue.Key) {}, Changes: func() <-chan struct{} { return make(chan struct{}) }})
	s := seeded{h: h, store: st}
	if rec := s.serve("POST", "/v1/apply", `{"file":"slipway.yaml","spec":`+jsonString(flagSpec)+`}`, nil); rec.Code != 201 {
		tb.Fatalf("apply: %d %s", rec.Code, rec.Body)
	}
	err := st.Update(tb.Context(), func(tx store.Tx) error {
		// What the operation controller would have made of the apply: the
		// service at revision 1, ready.
		if _, err := tx.CreateRevision(store.Revision{Service: "order", Spec: spec.Service{Name: "order", Run: []string{"./order"}}}); err != nil {
			return err
		}
		return tx.PutService(store.Service{Name: "order", Revision: 1, Stable: 1, Phase: store.PhaseReady})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// serve sends one request from loopback; headers are "Name", "value"
// pairs that replace the JSON content type.
func (s seeded) serve(method, path, body string, headers []string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://127.0.0.1:7470"+path, strings.NewReader(body))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
		if headers[i] == "Host" {
			req.Host = headers[i+1]
		}
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// snapshot is everything the store holds.
func (s seeded) snapshot(tb testing.TB) string {
	tb.Helper()
	snap, err := storetest.Snapshot(tb.Context(), s.store)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// postPaths are the endpoints that take a JSON body.
var postPaths = []string{
	"/v1/validate", "/v1/plan", "/v1/apply", "/v1/services/order/rollback", "/v1/services/order/promote",
	"/v1/services/order/rollout/pause", "/v1/services/order/rollout/set-weight", "/v1/services/order/rollout/abort",
	"/v1/incidents", "/v1/incidents/1/resolve", "/v1/flags/new-checkout/kill", "/v1/flags/new-checkout/rollout",
	"/v1/flags/new-checkout/set", "/v1/flags/new-checkout/evaluate", "/v1/versions", "/v1/services/order/deploy",
	"/v1/services/order/promote-env", "/v1/services/order/approve", "/v1/services/order/promotion/cancel", "/v1/down",
}

// FuzzAPIBodies posts arbitrary bodies to every endpoint that takes one,
// each on a freshly seeded store: never a 5xx or a panic, and a refused
// body (4xx) changes nothing in the store, events included.
func FuzzAPIBodies(f *testing.F) {
	bodies := []string{``, `{}`, `{`, `null`, `[]`, `"x"`, `{"file":"slipway.yaml","spec":"app: shop\n"}`,
		`{"file":"slipway.yaml","spec":` + jsonString(flagSpec) + `}`, `{"to":1,"reason":"bad"}`, `{"to":-1}`,
		`{"weight":50}`, `{"weight":-5}`, `{"full":true}`, `{"service":"order","causedBy":1,"title":"down"}`,
		`{"service":"order","title":"a\nb"}`, `{"variant":"on","reason":"x"}`, `{"percent":150}`, `{"split":{"on":1e308}}`,
		`{"context":{"country":"NL","targetingKey":"u"}}`, `{"service":"order","version":"v1","digest":"sha256:00"}`,
		`{"version":"v1"}`, `{"from":"dev","to":"prod"}`, `{"by":"ann","reject":true}`, `{"unknown":1}`, `{"spec":5}`}
	for i, b := range bodies {
		f.Add(uint8(i), b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, endpoint uint8, body string) {
		s := newSeeded(t, dir)
		path := postPaths[int(endpoint)%len(postPaths)]
		before := s.snapshot(t)
		rec := s.serve("POST", path, body, nil)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			if after := s.snapshot(t); after != before {
				t.Fatalf("POST %s %q refused (%d %s) but the store changed:\n%s\nthen\n%s", path, body, rec.Code, rec.Body, before, after)
			}
		}
	})
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
