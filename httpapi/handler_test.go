package httpapi

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
)

type noLogs struct{}

func (noLogs) Logs(context.Context, string, int) ([]string, error) { return []string{"hello"}, nil }

// testAPI serves the real handler over real HTTP with the memory store.
type testAPI struct {
	*httptest.Server
	store    store.Store
	mu       sync.Mutex // guards enqueued, ch
	enqueued []queue.Key
	ch       chan struct{}
}

func newTestAPI(t *testing.T, token string) *testAPI {
	return newTestAPIWith(t, func(c *Config) { c.Token = token })
}

// newTestAPIWith is newTestAPI on a server whose config edit changes
// (limits, a router policy).
func newTestAPIWith(t *testing.T, edit func(*Config)) *testAPI {
	t.Helper()
	a := &testAPI{store: store.NewMemory(), ch: make(chan struct{})}
	cfg := Config{
		Store: a.store, Artifacts: artifact.New(t.TempDir()), Logs: noLogs{},
		Clock:   clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)),
		Enqueue: func(k queue.Key) { a.mu.Lock(); a.enqueued = append(a.enqueued, k); a.mu.Unlock() },
		Changes: func() <-chan struct{} { a.mu.Lock(); defer a.mu.Unlock(); return a.ch },
	}
	edit(&cfg)
	a.Server = httptest.NewServer(New(cfg))
	t.Cleanup(a.Close)
	return a
}

// nothingStored fails t unless the store still holds no app, as after a
// refused apply.
func (a *testAPI) nothingStored(t *testing.T) {
	t.Helper()
	err := a.store.View(t.Context(), func(tx store.Tx) error { _, err := tx.GetApp(); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after the refusal GetApp = %v; want nothing stored", err)
	}
}

// poke wakes event followers, as the server's notifying store does.
func (a *testAPI) poke() {
	a.mu.Lock()
	defer a.mu.Unlock()
	close(a.ch)
	a.ch = make(chan struct{})
}

func (a *testAPI) do(t *testing.T, method, path, token string, body any) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		r = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequest(method, a.URL+path, r)
	if method == "POST" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

const goodSpec = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    instances: 2
`

func TestApplyStatuses(t *testing.T) {
	a := newTestAPI(t, "")
	tests := []struct {
		name     string
		spec     string
		status   int
		contains string
	}{
		{"bad spec lists problems with lines", "app: shop\nservices:\n  order:\n    instances: -1\n", 422, `"line": 4`},
		{"first apply starts an operation", goodSpec, 201, `"state": "Running"`},
		{"same spec while its operation runs conflicts", goodSpec, 409, "operation 1 (apply of order) is still running"},
		{"a change while an operation runs conflicts", strings.Replace(goodSpec, "2", "3", 1), 409, "is still running"},
		{"unknown artifact is refused", goodSpec + "    artifact: {path: bin/order, digest: sha256:" + strings.Repeat("ab", 32) + "}\n", 422, "never uploaded"},
		{"another app conflicts", strings.Replace(goodSpec, "shop", "other", 1), 409, `runs app \"shop\"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: tc.spec})
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Fatalf("status %d, body %s; want %d containing %q", resp.StatusCode, body, tc.status, tc.contains)
			}
		})
	}
	if len(a.enqueued) != 1 || a.enqueued[0] != queue.OperationKey(1) {
		t.Fatalf("enqueued %v, want [op:1]", a.enqueued)
	}
}

func TestNotFoundAndBadRequests(t *testing.T) {
	a := newTestAPI(t, "")
	tests := []struct {
		method, path string
		body         any
		status       int
		contains     string
	}{
		{"GET", "/v1/services/nosuch", nil, 404, `service \"nosuch\" does not exist`},
		{"POST", "/v1/services/nosuch/rollback", nil, 404, "nosuch"},
		{"GET", "/v1/operations/42", nil, 404, "operation 42 does not exist"},
		{"GET", "/v1/operations/x", nil, 400, "want an integer"},
		{"GET", "/v1/events?after=-1", nil, 400, "non-negative integer"},
		{"POST", "/v1/apply", "{not json", 400, "request body"},
		{"POST", "/v1/apply", `{"spec": "", "surprise": 1}`, 400, "unknown field"},
	}
	for _, tc := range tests {
		resp, body := a.do(t, tc.method, tc.path, "", tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
			t.Errorf("%s %s: status %d body %s; want %d containing %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.contains)
		}
	}
}

func TestTokenGuardsMutations(t *testing.T) {
	a := newTestAPI(t, "s3cret")
	req := api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec}
	if resp, _ := a.do(t, "POST", "/v1/apply", "", req); resp.StatusCode != 401 {
		t.Fatalf("apply without token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := a.do(t, "POST", "/v1/apply", "wrong", req); resp.StatusCode != 401 {
		t.Fatalf("apply with a wrong token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", "/v1/services", "", nil); resp.StatusCode != 401 {
		t.Fatalf("read without token: %d, want 401 (specs hold secrets)", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", "/v1/health", "", nil); resp.StatusCode != 200 {
		t.Fatalf("health without token: %d, want 200", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", "/v1/services", "s3cret", nil); resp.StatusCode != 200 {
		t.Fatalf("read with token: %d, want 200", resp.StatusCode)
	}
	if resp, body := a.do(t, "POST", "/v1/apply", "s3cret", req); resp.StatusCode != 201 {
		t.Fatalf("apply with token: %d %s", resp.StatusCode, body)
	}
}

func TestArtifactUpload(t *testing.T) {
	a := newTestAPI(t, "")
	content := "#!/bin/sh\necho hi\n"
	sum := sha256.Sum256([]byte(content))
	digest := "sha256:" + hex.EncodeToString(sum[:])
	if resp, _ := a.do(t, "HEAD", "/v1/artifacts/"+digest, "", nil); resp.StatusCode != 404 {
		t.Fatalf("HEAD before upload: %d", resp.StatusCode)
	}
	wrong := "sha256:" + strings.Repeat("0", 64)
	if resp, _ := a.do(t, "PUT", "/v1/artifacts/"+wrong, "", content); resp.StatusCode != 400 {
		t.Fatalf("PUT with a wrong digest: %d, want 400", resp.StatusCode)
	}
	if resp, _ := a.do(t, "PUT", "/v1/artifacts/../../etc", "", content); resp.StatusCode < 400 {
		t.Fatalf("PUT with a path: %d, want an error", resp.StatusCode)
	}
	if resp, body := a.do(t, "PUT", "/v1/artifacts/"+digest, "", content); resp.StatusCode != 201 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "HEAD", "/v1/artifacts/"+digest, "", nil); resp.StatusCode != 200 {
		t.Fatalf("HEAD after upload: %d", resp.StatusCode)
	}
	spec := goodSpec + fmt.Sprintf("    artifact: {path: bin/order, digest: %s}\n", digest)
	if resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: spec}); resp.StatusCode != 201 {
		t.Fatalf("apply with an uploaded artifact: %d %s", resp.StatusCode, body)
	}
}

func TestFollowEventsStreamsNewEvents(t *testing.T) {
	a := newTestAPI(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", a.URL+"/v1/events?follow=true", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	err = a.store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Type: "test.event", Message: "hello stream"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a.poke()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var e api.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil || e.Message != "hello stream" || e.Seq != 1 {
				t.Fatalf("event %q: %v", line, err)
			}
			return
		}
	}
	t.Fatalf("stream ended without the event: %v", sc.Err())
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		prev, cur []string
		want      int
	}{
		{nil, []string{"a"}, 0},
		{[]string{"a", "b"}, []string{"a", "b", "c"}, 2},
		{[]string{"a", "b", "c"}, []string{"b", "c", "d"}, 2},
		{[]string{"a", "b"}, []string{"x", "y"}, 0},
		{[]string{"a", "a"}, []string{"a", "a", "a"}, 2},
	}
	for _, tc := range tests {
		if got := overlap(tc.prev, tc.cur); got != tc.want {
			t.Errorf("overlap(%v, %v) = %d, want %d", tc.prev, tc.cur, got, tc.want)
		}
	}
}

// TestBrowserAttacksAreRefused: without a token, a page in the user's
// browser must not be able to change anything or read through DNS
// rebinding.
func TestBrowserAttacksAreRefused(t *testing.T) {
	a := newTestAPI(t, "")
	body := `{"file": "x.yaml", "spec": "app: shop\nservices:\n  evil:\n    run: [sh]\n"}`
	tests := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		status  int
	}{
		{"simple cross-site POST", "POST", "/v1/apply", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403},
		{"text/plain POST without Origin", "POST", "/v1/apply", map[string]string{"Content-Type": "text/plain"}, 415},
		{"JSON POST from another origin", "POST", "/v1/apply", map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, 403},
		{"rebinding host name", "GET", "/v1/services", map[string]string{"Host": "evil.example:7400"}, 403},
		{"cross-site rollback without body", "POST", "/v1/services/order/rollback", map[string]string{"Origin": "http://evil.example"}, 403},
		{"same-origin JSON POST", "POST", "/v1/validate", map[string]string{"Content-Type": "application/json", "Origin": "SELF"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, a.URL+tc.path, strings.NewReader(body))
			for k, v := range tc.headers {
				if v == "SELF" {
					v = a.URL
				}
				req.Header.Set(k, v)
			}
			if h := tc.headers["Host"]; h != "" {
				req.Host = h
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	var ops []store.Operation
	_ = a.store.View(context.Background(), func(tx store.Tx) error {
		var err error
		ops, err = tx.ListOperations(false, 0)
		return err
	})
	if len(ops) != 0 {
		t.Fatalf("a refused request started %d operations", len(ops))
	}
}

func TestPlanSaysWhichRevisions(t *testing.T) {
	a := newTestAPI(t, "")
	resp, body := a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec})
	var p api.Plan
	if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("plan: %d %s", resp.StatusCode, body)
	}
	if got := p.Revisions["order"]; got != (api.RevisionChange{From: 0, To: 1}) || len(p.Added) != 1 {
		t.Fatalf("plan %+v, want order added as revision 1", p)
	}
}

func TestPromoteWithNothingToPromote(t *testing.T) {
	a := newTestAPI(t, "")
	err := a.store.Update(context.Background(), func(tx store.Tx) error {
		return tx.PutService(store.Service{Name: "order", Revision: 2, Stable: 2, Phase: store.PhaseReady})
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := a.do(t, "POST", "/v1/services/order/promote", "", "{}")
	if resp.StatusCode != 409 || !strings.Contains(string(body), "nothing to promote: revision 2 already takes all traffic") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "POST", "/v1/services/nosuch/promote", "", "{}"); resp.StatusCode != 404 {
		t.Fatalf("promote of an unknown service: %d", resp.StatusCode)
	}
}

func TestCanaryIsAccepted(t *testing.T) {
	a := newTestAPI(t, "")
	spec := goodSpec + "    strategy:\n      canary:\n        steps: [{setWeight: 10}]\n"
	resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: spec})
	if resp.StatusCode != 200 && resp.StatusCode != 201 && resp.StatusCode != 202 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestBadConditionIsReportedAtItsLine(t *testing.T) {
	a := newTestAPI(t, "")
	spec := goodSpec + "    strategy:\n      canary:\n        steps: [{setWeight: 10}]\n        analysis:\n          metrics:\n            - {name: ok, provider: router, metric: successRate, successCondition: 'reslt >= 0.99'}\n"
	resp, body := a.do(t, "POST", "/v1/validate", "", api.ApplyRequest{File: "slipway.yaml", Spec: spec})
	if resp.StatusCode != 422 || !strings.Contains(string(body), "reslt") || !strings.Contains(string(body), `"line": 11`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
