package router

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slipway-dev/slipway/mirror"
)

// mirrorLog is a MirrorObserver that passes each exchange on a channel.
type mirrorLog struct {
	exchanges chan mirror.Exchange
	dropped   atomic.Int64
}

func newMirrorLog() *mirrorLog { return &mirrorLog{exchanges: make(chan mirror.Exchange, 1024)} }

func (l *mirrorLog) Compared(service string, revision int, x mirror.Exchange) {
	if service != "s" || revision != 2 {
		panic(fmt.Sprintf("Compared(%s, %d)", service, revision))
	}
	l.exchanges <- x
}

func (l *mirrorLog) Dropped(string, int) { l.dropped.Add(1) }

// next waits for the next exchange.
func (l *mirrorLog) next(t *testing.T) mirror.Exchange {
	t.Helper()
	return <-l.exchanges
}

// none checks that no exchange is waiting (after the requests that
// could have made one have been answered and their copies finished).
func (l *mirrorLog) none(t *testing.T) {
	t.Helper()
	if n := len(l.exchanges); n > 0 {
		t.Fatalf("%d unexpected exchanges, first %+v", n, <-l.exchanges)
	}
}

// namedBackend answers with its name, counting requests and copies.
type namedBackend struct {
	Backend
	users, copies atomic.Int64
}

func newNamedBackend(t *testing.T, name string, rev int, h http.HandlerFunc) *namedBackend {
	nb := &namedBackend{}
	nb.Backend = backendServer(t, name, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(MirrorHeader) == "1" {
			nb.copies.Add(1)
		} else {
			nb.users.Add(1)
		}
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, `{"from":%q,"method":%q,"body":%q}`, name, r.Method, body)
	})
	nb.Revision = rev
	return nb
}

// mirrorSetup is a route with stable instances (revision 1) and a
// candidate (revision 2) that gets copies.
type mirrorSetup struct {
	rt        *Router
	srv       *httptest.Server
	log       *mirrorLog
	stable    []*namedBackend
	candidate *namedBackend
}

func setupMirror(t *testing.T, cfg Config, m Mirror, stable int, candidate http.HandlerFunc) *mirrorSetup {
	t.Helper()
	s := &mirrorSetup{log: newMirrorLog()}
	cfg.Mirrors = s.log
	s.rt = New(cfg)
	t.Cleanup(s.rt.Close)
	var bs []Backend
	for i := range stable {
		b := newNamedBackend(t, fmt.Sprintf("stable-%d", i), 1, nil)
		s.stable = append(s.stable, b)
		bs = append(bs, b.Backend)
	}
	s.candidate = newNamedBackend(t, "candidate", 2, candidate)
	bs = append(bs, s.candidate.Backend)
	m.Revision = 2
	s.rt.Update([]Route{{Service: "s", Backends: bs, Mirror: &m}})
	s.srv = httptest.NewServer(s.rt)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *mirrorSetup) do(t *testing.T, method, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+"/orders/1", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMirrorUsersSeeOnlyStable(t *testing.T) {
	s := setupMirror(t, Config{}, Mirror{Percent: 100}, 2, nil)
	for i := range 50 {
		code, body := s.do(t, "GET", "")
		if code != 200 || !strings.Contains(body, `"from":"stable-`) {
			t.Fatalf("request %d: %d %s: users must only see stable", i, code, body)
		}
		x := s.log.next(t)
		if x.Method != "GET" || x.Path != "/orders/1" || string(x.Primary.Body) != body {
			t.Fatalf("exchange %+v: primary must be what the user got", x)
		}
		if !strings.Contains(string(x.Candidate.Body), `"from":"candidate"`) || x.Candidate.Status != 200 {
			t.Fatalf("candidate answered %d %s", x.Candidate.Status, x.Candidate.Body)
		}
		if from(x.Secondary) == from(x.Primary) || !strings.HasPrefix(from(x.Secondary), "stable-") {
			t.Fatalf("secondary %s, primary %s: want the other stable instance", from(x.Secondary), from(x.Primary))
		}
		if x.Primary.Header.Get("Content-Type") != "application/json" || x.Primary.Truncated {
			t.Fatalf("primary %+v", x.Primary)
		}
	}
	if s.candidate.users.Load() != 0 || s.candidate.copies.Load() != 50 {
		t.Fatalf("candidate got %d user requests and %d copies, want 0 and 50", s.candidate.users.Load(), s.candidate.copies.Load())
	}
	users := s.stable[0].users.Load() + s.stable[1].users.Load()
	copies := s.stable[0].copies.Load() + s.stable[1].copies.Load()
	if users != 50 || copies != 50 {
		t.Fatalf("stable got %d user requests and %d copies, want 50 and 50", users, copies)
	}
}

// from is the instance name in a namedBackend's JSON answer.
func from(r mirror.Response) string {
	_, after, _ := strings.Cut(string(r.Body), `"from":"`)
	name, _, _ := strings.Cut(after, `"`)
	return name
}

func TestMirrorOneStableInstanceIsItsOwnSecondary(t *testing.T) {
	s := setupMirror(t, Config{}, Mirror{Percent: 100}, 1, nil)
	s.do(t, "GET", "")
	if x := s.log.next(t); from(x.Secondary) != "stable-0" || from(x.Primary) != "stable-0" {
		t.Fatalf("primary %s, secondary %s", from(x.Primary), from(x.Secondary))
	}
}

func TestMirrorCandidateNeverServesUsers(t *testing.T) {
	tests := []struct {
		name    string
		weights map[int]int
		pin     *Pin
		want    int
	}{
		{"weighted to the candidate", map[int]int{1: 50, 2: 50}, nil, 200},
		{"pinned to the candidate", nil, &Pin{Header: "X-Rev", Revisions: map[string]int{"*": 2}}, 200},
		{"only the candidate weighted", map[int]int{2: 100}, nil, 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := newMirrorLog()
			rt := New(Config{Mirrors: log})
			defer rt.Close()
			st, cand := newNamedBackend(t, "stable", 1, nil), newNamedBackend(t, "candidate", 2, nil)
			rt.Update([]Route{{Service: "s", Backends: []Backend{st.Backend, cand.Backend}, Weights: tc.weights, Pin: tc.pin,
				Mirror: &Mirror{Revision: 2, Percent: 0}}})
			for range 20 {
				if code, body := get(t, rt, "x", "/", "X-Rev", "2"); code != tc.want || strings.Contains(body, "candidate") {
					t.Fatalf("%d %s", code, body)
				}
			}
			if cand.users.Load() != 0 {
				t.Fatalf("candidate served %d user requests", cand.users.Load())
			}
		})
	}
}

func TestMirrorMethods(t *testing.T) {
	tests := []struct {
		name, method, body string
		mirror             Mirror
		copied             bool
	}{
		{"get", "GET", "", Mirror{Percent: 100}, true},
		{"head", "HEAD", "", Mirror{Percent: 100}, true},
		{"post is unsafe", "POST", `{"n":1}`, Mirror{Percent: 100}, false},
		{"delete is unsafe", "DELETE", "", Mirror{Percent: 100}, false},
		{"post when unsafe allowed", "POST", `{"n":1}`, Mirror{Percent: 100, Unsafe: true}, true},
		{"put when unsafe allowed", "PUT", "x", Mirror{Percent: 100, Unsafe: true}, true},
		{"body too large", "POST", strings.Repeat("x", 100), Mirror{Percent: 100, Unsafe: true, MaxBody: 10}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := setupMirror(t, Config{}, tc.mirror, 2, nil)
			code, body := s.do(t, tc.method, tc.body)
			if code != 200 || (tc.method != "HEAD" && !strings.Contains(body, fmt.Sprintf(`"body":%q`, tc.body))) {
				t.Fatalf("user got %d %s: the whole body must reach stable", code, body)
			}
			if !tc.copied {
				s.log.none(t) // a request not copied starts no goroutine
				if s.candidate.copies.Load() != 0 {
					t.Fatal("candidate got a copy")
				}
				return
			}
			x := s.log.next(t)
			if x.Method != tc.method || x.Candidate.Status != 200 {
				t.Fatalf("exchange %+v", x)
			}
			if tc.method != "HEAD" && !strings.Contains(string(x.Candidate.Body), fmt.Sprintf(`"body":%q`, tc.body)) {
				t.Fatalf("candidate got body %s, want %q", x.Candidate.Body, tc.body)
			}
		})
	}
}

func TestMirrorPercent(t *testing.T) {
	for _, percent := range []int{0, 30, 100} {
		t.Run(fmt.Sprint(percent), func(t *testing.T) {
			var n atomic.Uint64
			s := setupMirror(t, Config{Rand: func() uint64 { return n.Add(1) }}, Mirror{Percent: percent}, 1, nil)
			for range 100 {
				s.do(t, "GET", "")
			}
			for range percent {
				s.log.next(t)
			}
			s.rt.Close()
			s.log.none(t)
		})
	}
}

func TestMirrorCopiesAreMarkedAndNotObserved(t *testing.T) {
	obs := &sampleLog{}
	var sawHeader atomic.Int64
	s := setupMirror(t, Config{Observer: obs}, Mirror{Percent: 100}, 2, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(MirrorHeader) == "1" && r.Header.Get("X-Forwarded-For") != "" {
			sawHeader.Add(1)
		}
	})
	for range 10 {
		s.do(t, "GET", "")
		s.log.next(t)
	}
	if sawHeader.Load() != 10 {
		t.Fatalf("candidate saw %d copies with %s and X-Forwarded-For, want 10", sawHeader.Load(), MirrorHeader)
	}
	if got := obs.revisions(); len(got) != 10 || strings.Trim(strings.Join(got, ""), "1") != "" {
		t.Fatalf("observer saw revisions %v, want the 10 user requests, all on revision 1", got)
	}
}

// sampleLog is an Observer that keeps each sample's revision.
type sampleLog struct {
	mu   sync.Mutex // guards revs
	revs []string
}

func (l *sampleLog) Observe(s Sample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.revs = append(l.revs, fmt.Sprint(s.Revision))
}

func (l *sampleLog) revisions() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.revs...)
}

func TestMirrorSlowCandidateDoesNotSlowUsers(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	s := setupMirror(t, Config{}, Mirror{Percent: 100}, 1, func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		fmt.Fprint(w, "late")
	})
	code, body := s.do(t, "GET", "")
	if code != 200 || from(mirror.Response{Body: []byte(body)}) != "stable-0" {
		t.Fatalf("user got %d %s", code, body)
	}
	<-started // the user has the answer, and the candidate has not given one
	if n := s.rt.InFlight(s.candidate.ID); n != 1 {
		t.Errorf("candidate has %d requests in flight, want the copy", n)
	}
	s.log.none(t)
	close(release)
	if x := s.log.next(t); string(x.Candidate.Body) != "late" {
		t.Fatalf("candidate %+v", x.Candidate)
	}
}

func TestMirrorBoundsCopiesInFlight(t *testing.T) {
	release := make(chan struct{})
	s := setupMirror(t, Config{MaxMirrorsInFlight: 2}, Mirror{Percent: 100}, 1, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	for i := range 5 {
		if code, _ := s.do(t, "GET", ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if d := s.log.dropped.Load(); d != 3 {
		t.Fatalf("%d dropped, want 3 (2 copies in flight, blocked)", d)
	}
	close(release)
	s.log.next(t)
	s.log.next(t)
}

func TestMirrorStopsWhenClosed(t *testing.T) {
	s := setupMirror(t, Config{}, Mirror{Percent: 100}, 1, nil)
	s.rt.Close()
	if code, _ := s.do(t, "GET", ""); code != 200 {
		t.Fatalf("user got %d after Close", code)
	}
	s.log.none(t)
	if s.candidate.copies.Load() != 0 {
		t.Fatal("a closed router sent a copy")
	}
}

func TestMirrorFailedCopyHasNoStatus(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	log := newMirrorLog()
	rt := New(Config{Mirrors: log})
	defer rt.Close()
	st := newNamedBackend(t, "stable", 1, nil)
	rt.Update([]Route{{Service: "s", Backends: []Backend{st.Backend, {ID: "gone", Revision: 2, Addr: dead}},
		Mirror: &Mirror{Revision: 2, Percent: 100}}})
	if code, _ := get(t, rt, "x", "/"); code != 200 {
		t.Fatalf("user got %d", code)
	}
	x := log.next(t)
	if x.Candidate.Status != 0 || !strings.Contains(x.Candidate.Error, "refused") || x.Secondary.Status != 200 {
		t.Fatalf("candidate %+v, secondary %d", x.Candidate, x.Secondary.Status)
	}
}

func TestMirrorStreamsToUsers(t *testing.T) {
	next := make(chan struct{})
	stable := backendServer(t, "stable", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			if r.Header.Get(MirrorHeader) == "" && i < 2 {
				<-next // the user must have this chunk before the next is written
			}
		}
	})
	stable.Revision = 1
	cand := newNamedBackend(t, "candidate", 2, nil)
	log := newMirrorLog()
	rt := New(Config{Mirrors: log})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{stable, cand.Backend}, Mirror: &Mirror{Revision: 2, Percent: 100}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if err != nil || line != fmt.Sprintf("data: %d\n", i) {
			t.Fatalf("chunk %d: %q %v", i, line, err)
		}
		br.ReadString('\n')
		if i < 2 {
			next <- struct{}{}
		}
	}
	x := log.next(t)
	if string(x.Primary.Body) != "data: 0\n\ndata: 1\n\ndata: 2\n\n" || x.Primary.Truncated {
		t.Fatalf("primary captured %q", x.Primary.Body)
	}
}

func TestMirrorCapturesAtMostTheLimit(t *testing.T) {
	big := strings.Repeat("x", captureLimit+10)
	h := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big) }
	st, cand := backendServer(t, "stable", h), backendServer(t, "candidate", h)
	st.Revision, cand.Revision = 1, 2
	log := newMirrorLog()
	rt := New(Config{Mirrors: log})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{st, cand}, Mirror: &Mirror{Revision: 2, Percent: 100}}})
	if _, body := get(t, rt, "x", "/"); len(body) != len(big) {
		t.Fatalf("user got %d bytes, want %d", len(body), len(big))
	}
	x := log.next(t)
	for _, r := range []mirror.Response{x.Primary, x.Secondary, x.Candidate} {
		if len(r.Body) != captureLimit || !r.Truncated {
			t.Fatalf("captured %d bytes (truncated %v), want %d", len(r.Body), r.Truncated, captureLimit)
		}
	}
}

func TestMirrorCopies(t *testing.T) {
	req := func(method string, kv ...string) *http.Request {
		r := httptest.NewRequest(method, "/", nil)
		for i := 0; i+1 < len(kv); i += 2 {
			r.Header.Set(kv[i], kv[i+1])
		}
		return r
	}
	withLength := func(r *http.Request, n int64) *http.Request { r.ContentLength = n; return r }
	m := Mirror{Percent: 50, MaxBody: 100}
	tests := []struct {
		name string
		m    Mirror
		req  *http.Request
		roll int
		want bool
	}{
		{"under percent", m, req("GET"), 49, true},
		{"at percent", m, req("GET"), 50, false},
		{"zero percent", Mirror{}, req("GET"), 0, false},
		{"options", m, req("OPTIONS"), 0, true},
		{"trace", m, req("TRACE"), 0, true},
		{"post", m, req("POST"), 0, false},
		{"patch", m, req("PATCH"), 0, false},
		{"custom method", m, req("PURGE"), 0, false},
		{"post when unsafe", Mirror{Percent: 100, Unsafe: true, MaxBody: 100}, req("POST"), 0, true},
		{"upgrade", m, req("GET", "Upgrade", "websocket"), 0, false},
		{"a copy", m, req("GET", MirrorHeader, "1"), 0, false},
		{"body within", m, withLength(req("GET"), 100), 0, true},
		{"body too large", m, withLength(req("GET"), 101), 0, false},
		{"unknown length", m, withLength(req("GET"), -1), 0, true}, // read, then judged
	}
	for _, tc := range tests {
		if got := tc.m.copies(tc.req, tc.roll); got != tc.want {
			t.Errorf("%s: copies = %v, want %v", tc.name, got, tc.want)
		}
	}
	if d := (&Mirror{Percent: 150}).withDefaults(); d.Percent != 100 || d.MaxBody != defaultMirrorBody {
		t.Errorf("withDefaults %+v", d)
	}
}

func TestMirrorTallyCancelsNoise(t *testing.T) {
	// The whole chain with real servers: stable stamps each answer with
	// its own request id, the candidate also changes the price.
	var seq atomic.Int64
	answer := func(price int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId":"r%d","price":%d}`, seq.Add(1), price)
		}
	}
	tally, err := mirror.NewTally(mirror.Options{Headers: []string{"Content-Type"}})
	if err != nil {
		t.Fatal(err)
	}
	log := newMirrorLog()
	rt := New(Config{Mirrors: log})
	defer rt.Close()
	a, b := backendServer(t, "a", answer(10)), backendServer(t, "b", answer(10))
	c := backendServer(t, "c", answer(12))
	a.Revision, b.Revision, c.Revision = 1, 1, 2
	rt.Update([]Route{{Service: "s", Backends: []Backend{a, b, c}, Mirror: &Mirror{Revision: 2, Percent: 100}}})
	for i := range 20 {
		get(t, rt, "x", fmt.Sprintf("/orders/%d", i))
		tally.Record(log.next(t))
	}
	rep := tally.Report()
	if rep.Compared != 20 || rep.Mismatched != 20 || len(rep.Routes) != 1 || rep.Routes[0].Route != "GET /orders/{id}" {
		t.Fatalf("report %+v", rep)
	}
	for _, f := range rep.Routes[0].Fields {
		if f.Mismatch != (f.Field == "$.price") {
			t.Errorf("field %+v: only $.price is a mismatch", f)
		}
	}
}
