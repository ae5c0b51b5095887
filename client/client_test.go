package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

// serve starts a real HTTP server with handler and returns a client for it.
func serve(t *testing.T, handler http.HandlerFunc, opts ...client.Option) *client.Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return client.New(srv.URL, opts...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestServicesSendsTokenAndDecodes(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer s3cret" {
			t.Errorf("Authorization = %q", got)
		}
		if r.URL.Path != "/v1/services" {
			t.Errorf("path = %s", r.URL.Path)
		}
		writeJSON(w, 200, []api.Service{{Name: "invoice", Revision: 3, Desired: 2, Ready: 2}})
	}, client.WithToken("s3cret"))
	ss, err := c.Services(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Name != "invoice" || ss[0].Revision != 3 {
		t.Fatalf("services = %+v", ss)
	}
}

func TestErrorDecoding(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		var req api.ApplyRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.File != "slipway.yaml" {
			t.Errorf("request = %+v, %v", req, err)
		}
		writeJSON(w, http.StatusUnprocessableEntity, api.ErrorBody{Error: api.ErrorDetail{
			Kind:    api.KindInvalid,
			Message: "slipway.yaml has 2 problems",
			Problems: []api.Problem{
				{File: "slipway.yaml", Line: 14, Path: "services.invoice.instances", Message: "must be >= 0"},
				{File: "slipway.yaml", Line: 20, Path: "services.order.run", Message: "is required"},
			},
		}})
	})
	_, err := c.Validate(context.Background(), api.ApplyRequest{File: "slipway.yaml", Spec: "app: shop"})
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %T %v, want *client.Error", err, err)
	}
	if e.Status != 422 || !client.IsInvalid(err) || client.IsNotFound(err) {
		t.Errorf("status %d kind %q", e.Status, e.Kind)
	}
	want := "slipway.yaml has 2 problems\n" +
		"slipway.yaml:14: services.invoice.instances: must be >= 0\n" +
		"slipway.yaml:20: services.order.run: is required"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err.Error(), want)
	}
}

func TestErrorWithoutBody(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such service", http.StatusNotFound)
	})
	_, err := c.Service(context.Background(), "nope")
	if !client.IsNotFound(err) {
		t.Fatalf("IsNotFound(%v) = false", err)
	}
	if err.Error() != "no such service" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused

	_, err = client.New(addr).Health(context.Background())
	if !errors.Is(err, client.ErrUnreachable) || !client.IsUnreachable(err) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	want := fmt.Sprintf(`cannot reach the slipway server at %s (connection refused); `+
		`start one with "slipway server" or point --server / SLIPWAY_SERVER at a running one`, addr)
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
}

func TestCanceledContextIsNotUnreachable(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, api.Health{}) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Health(ctx)
	if !errors.Is(err, context.Canceled) || client.IsUnreachable(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestArtifacts(t *testing.T) {
	stored := map[string]string{}
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		digest := strings.TrimPrefix(r.URL.Path, "/v1/artifacts/")
		switch r.Method {
		case http.MethodHead:
			if _, ok := stored[digest]; !ok {
				w.WriteHeader(http.StatusNotFound)
			}
		case http.MethodPut:
			data, _ := io.ReadAll(r.Body)
			stored[digest] = string(data)
			w.WriteHeader(http.StatusCreated)
		}
	})
	ctx := context.Background()
	has, err := c.HasArtifact(ctx, "sha256:abc")
	if err != nil || has {
		t.Fatalf("HasArtifact before upload = %v, %v", has, err)
	}
	if err := c.PutArtifact(ctx, "sha256:abc", strings.NewReader("binary")); err != nil {
		t.Fatal(err)
	}
	has, err = c.HasArtifact(ctx, "sha256:abc")
	if err != nil || !has || stored["sha256:abc"] != "binary" {
		t.Fatalf("HasArtifact after upload = %v, %v (stored %q)", has, err, stored)
	}
}

func TestLogs(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/services/invoice/logs" || r.URL.Query().Get("lines") != "5" {
			t.Errorf("url = %s", r.URL)
		}
		io.WriteString(w, "invoice-1 | hello\ninvoice-2 | world\n")
	})
	var b strings.Builder
	if err := c.Logs(context.Background(), "invoice", 5, false, &b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "invoice-1 | hello\ninvoice-2 | world\n" {
		t.Errorf("logs = %q", b.String())
	}
}
