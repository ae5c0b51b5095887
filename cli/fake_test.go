package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/cli"
)

// fakeServer answers the v1 endpoints the CLI uses with canned values. It
// is the narrow seam these tests stand on; the real server is exercised
// end to end elsewhere.
type fakeServer struct {
	t *testing.T

	mu        sync.Mutex // held for each request; guards every field below
	plan      api.Plan
	invalid   *api.ErrorDetail // when set, validate, plan and apply fail with it
	services  []api.Service
	revisions map[string][]api.Revision
	// ops are the successive answers to GET /v1/operations/{id}; the last
	// one repeats.
	ops       []api.Operation
	events    []api.Event
	artifacts map[string][]byte
	applied   []api.ApplyRequest
	rollbacks []api.RollbackRequest
	calls     []string
	// polls are the successive answers to GET /v1/services/{name} for
	// their service, before services is consulted; the last one repeats.
	polls []api.Service
	// onService, when set, is called on each GET /v1/services/{name}.
	onService func()
	// verbs records each POST /v1/services/{name}/rollout/{verb}; a
	// verb answers with the service from services, or fails with
	// verbErr when it is set.
	verbs   []verbCall
	verbErr *api.ErrorDetail
	// flags answer GET /v1/flags and /v1/flags/{key}; a flag verb
	// answers with its flag from flags (the test sets it as it is after
	// the edit), or fails with flagErr when it is set.
	flags     []api.Flag
	flagVerbs []flagCall
	flagErr   *api.ErrorDetail
	// evaluation answers POST /v1/flags/{key}/evaluate (its Key set to
	// the key asked); evals records the requests.
	evaluation api.FlagEvaluation
	evals      []flagCall
}

// flagCall is one POST /v1/flags/{key}/{verb} the fake server was asked;
// context is an evaluation's.
type flagCall struct {
	key, verb string
	req       api.FlagRequest
	context   map[string]any
}

// verbCall is one rollout verb the fake server was asked.
type verbCall struct {
	service, verb string
	req           api.RolloutRequest
}

func newFake(t *testing.T) (*fakeServer, string) {
	f := &fakeServer{t: t, revisions: map[string][]api.Revision{}, artifacts: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/validate", f.validate)
	mux.HandleFunc("POST /v1/plan", f.validate)
	mux.HandleFunc("POST /v1/apply", f.apply)
	mux.HandleFunc("GET /v1/operations/{id}", f.operation)
	mux.HandleFunc("GET /v1/services", func(w http.ResponseWriter, r *http.Request) { f.reply(w, f.services) })
	mux.HandleFunc("GET /v1/services/{name}", f.service)
	mux.HandleFunc("GET /v1/services/{name}/revisions", func(w http.ResponseWriter, r *http.Request) {
		f.reply(w, f.revisions[r.PathValue("name")])
	})
	mux.HandleFunc("POST /v1/services/{name}/rollback", f.rollback)
	mux.HandleFunc("POST /v1/services/{name}/rollout/{verb}", f.rolloutVerb)
	mux.HandleFunc("GET /v1/services/{name}/logs", f.logs)
	mux.HandleFunc("GET /v1/flags", f.listFlags)
	mux.HandleFunc("GET /v1/flags/{key}", f.flag)
	mux.HandleFunc("POST /v1/flags/{key}/evaluate", f.evaluate)
	mux.HandleFunc("POST /v1/flags/{key}/{verb}", f.flagVerb)
	mux.HandleFunc("GET /v1/events", f.listEvents)
	mux.HandleFunc("HEAD /v1/artifacts/{digest}", f.hasArtifact)
	mux.HandleFunc("PUT /v1/artifacts/{digest}", f.putArtifact)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeServer) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("fake server: encode: %v", err)
	}
}

func (f *fakeServer) fail(w http.ResponseWriter, status int, d api.ErrorDetail) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.ErrorBody{Error: d})
}

func (f *fakeServer) decode(r *http.Request, v any) {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		f.t.Errorf("fake server: decode %s: %v", r.URL.Path, err)
	}
}

func (f *fakeServer) validate(w http.ResponseWriter, r *http.Request) {
	var req api.ApplyRequest
	f.decode(r, &req)
	f.applied = append(f.applied, req)
	if f.invalid != nil {
		f.fail(w, http.StatusUnprocessableEntity, *f.invalid)
		return
	}
	f.reply(w, f.plan)
}

func (f *fakeServer) apply(w http.ResponseWriter, r *http.Request) {
	var req api.ApplyRequest
	f.decode(r, &req)
	f.applied = append(f.applied, req)
	resp := api.ApplyResponse{Plan: f.plan}
	if !f.plan.Empty() && len(f.ops) > 0 {
		resp.Operation = &f.ops[0]
	}
	f.reply(w, resp)
}

func (f *fakeServer) operation(w http.ResponseWriter, r *http.Request) {
	if len(f.ops) == 0 || strconv.FormatInt(f.ops[0].ID, 10) != r.PathValue("id") {
		f.fail(w, http.StatusNotFound, api.ErrorDetail{Kind: api.KindNotFound, Message: "no such operation"})
		return
	}
	op := f.ops[0]
	if len(f.ops) > 1 {
		f.ops = f.ops[1:]
	}
	f.reply(w, op)
}

func (f *fakeServer) service(w http.ResponseWriter, r *http.Request) {
	if f.onService != nil && r.Method == http.MethodGet {
		f.onService()
	}
	if len(f.polls) > 0 && f.polls[0].Name == r.PathValue("name") {
		s := f.polls[0]
		if len(f.polls) > 1 {
			f.polls = f.polls[1:]
		}
		f.reply(w, s)
		return
	}
	for _, s := range f.services {
		if s.Name == r.PathValue("name") {
			f.reply(w, s)
			return
		}
	}
	f.fail(w, http.StatusNotFound, api.ErrorDetail{Kind: api.KindNotFound,
		Message: "service " + r.PathValue("name") + " not found"})
}

// kindStatus is the HTTP status the real server answers an error kind with.
var kindStatus = map[string]int{
	api.KindInvalid: http.StatusBadRequest, api.KindNotFound: http.StatusNotFound, api.KindConflict: http.StatusConflict,
}

func (f *fakeServer) rolloutVerb(w http.ResponseWriter, r *http.Request) {
	var req api.RolloutRequest
	if r.ContentLength != 0 {
		f.decode(r, &req)
	}
	f.verbs = append(f.verbs, verbCall{service: r.PathValue("name"), verb: r.PathValue("verb"), req: req})
	if f.verbErr != nil {
		f.fail(w, kindStatus[f.verbErr.Kind], *f.verbErr)
		return
	}
	f.service(w, r)
}

func (f *fakeServer) listFlags(w http.ResponseWriter, r *http.Request) {
	out := []api.Flag{}
	for _, fl := range f.flags {
		if fl.Stale || r.URL.Query().Get("stale") != "true" {
			out = append(out, fl)
		}
	}
	f.reply(w, out)
}

// flag answers GET /v1/flags/{key} with the flag, or the real server's
// 404.
func (f *fakeServer) flag(w http.ResponseWriter, r *http.Request) {
	if fl, ok := f.findFlag(r.PathValue("key")); ok {
		f.reply(w, fl)
		return
	}
	f.fail(w, http.StatusNotFound, api.ErrorDetail{Kind: api.KindNotFound,
		Message: fmt.Sprintf("flag %q does not exist", r.PathValue("key"))})
}

// flagVerb answers a flag verb with its flag, or the real server's 404,
// which names the known flags.
func (f *fakeServer) flagVerb(w http.ResponseWriter, r *http.Request) {
	var req api.FlagRequest
	if r.ContentLength != 0 {
		f.decode(r, &req)
	}
	key := r.PathValue("key")
	f.flagVerbs = append(f.flagVerbs, flagCall{key: key, verb: r.PathValue("verb"), req: req})
	fl, ok := f.findFlag(key)
	switch {
	case f.flagErr != nil:
		f.fail(w, kindStatus[f.flagErr.Kind], *f.flagErr)
	case !ok:
		var keys []string
		for _, fl := range f.flags {
			keys = append(keys, fl.Key)
		}
		f.fail(w, http.StatusNotFound, api.ErrorDetail{Kind: api.KindNotFound,
			Message: fmt.Sprintf("flag %q does not exist; flags: %s", key, strings.Join(keys, ", "))})
	default:
		f.reply(w, fl)
	}
}

func (f *fakeServer) findFlag(key string) (api.Flag, bool) {
	for _, fl := range f.flags {
		if fl.Key == key {
			return fl, true
		}
	}
	return api.Flag{}, false
}

func (f *fakeServer) evaluate(w http.ResponseWriter, r *http.Request) {
	var req api.EvaluateRequest
	dec := json.NewDecoder(r.Body)
	dec.UseNumber() // to see that numbers are sent as written
	if err := dec.Decode(&req); err != nil {
		f.t.Errorf("fake server: decode %s: %v", r.URL.Path, err)
	}
	f.evals = append(f.evals, flagCall{key: r.PathValue("key"), verb: "evaluate", context: req.Context})
	ev := f.evaluation
	ev.Key = r.PathValue("key")
	f.reply(w, ev)
}

func (f *fakeServer) rollback(w http.ResponseWriter, r *http.Request) {
	var req api.RollbackRequest
	f.decode(r, &req)
	f.rollbacks = append(f.rollbacks, req)
	f.reply(w, f.ops[0])
}

func (f *fakeServer) listEvents(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("follow") == "true" {
		f.streamEvents(w, r)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	service := r.URL.Query().Get("service")
	evs := []api.Event{}
	for _, ev := range f.events {
		if ev.Seq > after && (service == "" || ev.Service == service) {
			evs = append(evs, ev)
		}
	}
	f.reply(w, evs)
}

// streamEvents sends the events after ?after= as an event stream, with a
// keep-alive comment between them, then ends the stream.
func (f *fakeServer) streamEvents(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	w.Header().Set("Content-Type", "text/event-stream")
	for _, ev := range f.events {
		if ev.Seq <= after {
			continue
		}
		data, _ := json.Marshal(ev)
		fmt.Fprintf(w, ": keep-alive\n\ndata: %s\n\n", data)
	}
}

func (f *fakeServer) logs(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s-1 | lines=%s follow=%s\n", r.PathValue("name"),
		r.URL.Query().Get("lines"), r.URL.Query().Get("follow"))
}

func (f *fakeServer) hasArtifact(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.artifacts[r.PathValue("digest")]; !ok {
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeServer) putArtifact(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	f.artifacts[r.PathValue("digest")] = data
	w.WriteHeader(http.StatusCreated)
}

// result is what one run of the CLI printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// run executes the CLI with args against server.
func run(t *testing.T, server string, args ...string) result {
	t.Helper()
	return runCtx(context.Background(), t, server, args...)
}

// runCtx executes the CLI with args against server until ctx is done.
func runCtx(ctx context.Context, t *testing.T, server string, args ...string) result {
	t.Helper()
	t.Setenv(cli.EnvServer, server)
	t.Setenv(cli.EnvToken, "")
	var stdout, stderr bytes.Buffer
	code := cli.Run(ctx, args, &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}
