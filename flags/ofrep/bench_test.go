package ofrep_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
	"github.com/slipway-dev/slipway/spec"
)

// fixedEvaluator answers canned results without locks, so that the
// benchmarks measure the handler.
type fixedEvaluator struct {
	results map[string]flags.Result
	all     []flags.Result
}

func (e *fixedEvaluator) Evaluate(key string, _ flags.Context) flags.Result {
	if r, ok := e.results[key]; ok {
		return r
	}
	return flags.Result{Key: key, Reason: flags.ReasonError, ErrorCode: flags.ErrFlagNotFound}
}
func (e *fixedEvaluator) EvaluateAll(flags.Context) []flags.Result { return e.all }
func (e *fixedEvaluator) Version() string                          { return "v1" }
func (e *fixedEvaluator) Changed() <-chan struct{}                 { return nil }

func newFixed(n int) *fixedEvaluator {
	e := &fixedEvaluator{results: map[string]flags.Result{}}
	for i := range n {
		key := "flag-" + strconv.Itoa(i)
		r := flags.Result{Key: key, Value: i%2 == 0, Variant: "on", Reason: flags.ReasonSplit,
			Metadata: map[string]any{"class": "release", "owner": "payments-team"}}
		e.results[key] = r
		e.all = append(e.all, r)
	}
	return e
}

// discard is a ResponseWriter that keeps nothing but its header map.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(s int)           { d.status = s }

const benchContext = `{"context":{"targetingKey":"user-123","country":"NL","plan":"pro","email":"a@shop.example"}}`

// serveDirect calls ServeHTTP b.N times with one reused request.
func serveDirect(b *testing.B, h http.Handler, path, body string, headers http.Header, want int) {
	raw := []byte(body)
	rd := bytes.NewReader(raw)
	req := httptest.NewRequest("POST", path, nil)
	req.Header = headers
	req.Body = io.NopCloser(rd)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(raw)
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	if w.status != want {
		b.Fatalf("status %d, want %d", w.status, want)
	}
}

func benchHandler(b *testing.B, ev ofrep.Evaluator) *ofrep.Handler {
	cfg := ofrep.Default()
	cfg.Evaluator = ev
	cfg.CheckKey = ofrep.StaticKeys("bench-key")
	cfg.Logger = slog.New(slog.DiscardHandler)
	h, err := ofrep.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

var keyHeader = http.Header{"Authorization": {"Bearer bench-key"}, "Content-Type": {"application/json"}}

// BenchmarkEvaluateOne: one flag, a four-attribute context, a key; the
// handler alone (no network).
func BenchmarkEvaluateOne(b *testing.B) {
	h := benchHandler(b, newFixed(100))
	serveDirect(b, h, "/ofrep/v1/evaluate/flags/flag-7", benchContext, keyHeader, 200)
}

// BenchmarkEvaluateOneEngine: one flag with a CEL rule, over the real
// engine: handler and evaluation together.
func BenchmarkEvaluateOneEngine(b *testing.B) {
	app, err := spec.Parse("slipway.yaml", []byte("app: shop\nservices:\n  web:\n    run: [./web]\n"+ofreptest.FlagsYAML))
	if err != nil {
		b.Fatal(err)
	}
	set, err := flags.CompileApp(app, nil)
	if err != nil {
		b.Fatal(err)
	}
	h := benchHandler(b, compiled{set})
	serveDirect(b, h, "/ofrep/v1/evaluate/flags/targeted", benchContext, keyHeader, 200)
}

// BenchmarkBulk100: every one of 100 flags.
func BenchmarkBulk100(b *testing.B) {
	h := benchHandler(b, newFixed(100))
	serveDirect(b, h, "/ofrep/v1/evaluate/flags", benchContext, keyHeader, 200)
}

// BenchmarkBulk100NotModified: a poll that the ETag answers (304).
func BenchmarkBulk100NotModified(b *testing.B) {
	h := benchHandler(b, newFixed(100))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/ofrep/v1/evaluate/flags", bytes.NewReader([]byte(benchContext)))
	req.Header = keyHeader.Clone()
	h.ServeHTTP(rec, req)
	headers := keyHeader.Clone()
	headers.Set("If-None-Match", rec.Header().Get("ETag"))
	serveDirect(b, h, "/ofrep/v1/evaluate/flags", benchContext, headers, 304)
}

// BenchmarkEvaluateOneLoopback: one flag over loopback HTTP/1.1 with
// keep-alive, from parallel clients: the server path end to end.
func BenchmarkEvaluateOneLoopback(b *testing.B) {
	srv := httptest.NewServer(benchHandler(b, newFixed(100)))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/ofrep/v1/evaluate/flags/flag-7"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(benchContext)))
			req.Header = keyHeader.Clone()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
