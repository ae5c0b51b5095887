package notify

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

// receiver is a real HTTP receiver: it checks each webhook's signature
// and keeps what it accepted, in arrival order.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	key []byte
	mu  sync.Mutex // guards the fields below
	ids []string
	// bodies are the accepted bodies, by ID.
	bodies map[string][]byte
	// down answers 503 while set; refused counts those answers.
	down    bool
	refused int
	arrived chan struct{}
}

func newReceiver(t *testing.T, key []byte) *receiver {
	r := &receiver{t: t, key: key, bodies: map[string][]byte{}, arrived: make(chan struct{}, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		r.refused++
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if r.key != nil {
		if err := Verify(r.key, body, req.Header.Get(HeaderSignature), time.Now(), DefaultTolerance); err != nil {
			r.t.Errorf("receiver: %v", err)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
	}
	id := req.Header.Get(HeaderEventID)
	r.ids = append(r.ids, id)
	r.bodies[id] = body
	r.arrived <- struct{}{}
}

func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// refusals is how many deliveries were answered 503.
func (r *receiver) refusals() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

func (r *receiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// await waits until n deliveries arrived in all.
func (r *receiver) await(n int) []string {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for len(r.received()) < n {
		select {
		case <-r.arrived:
		case <-deadline:
			r.t.Fatalf("received %d of %d: %v", len(r.received()), n, r.received())
		}
	}
	return r.received()
}

// world is one environment's real store (SQLite) with a secrets key.
type world struct {
	t     *testing.T
	dir   string
	db    *sqlite.Store
	store *store.Notifier
	box   *secret.Box
}

func newWorld(t *testing.T) *world {
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "slipway.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.LoadOrCreateKey(filepath.Join(dir, "secrets.key"))
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, dir: dir, db: db, store: store.NewNotifier(db), box: box}
}

func (w *world) update(fn func(tx store.Tx) error) {
	w.t.Helper()
	if err := w.store.Update(w.t.Context(), fn); err != nil {
		w.t.Fatal(err)
	}
}

// apply stores the spec and secrets as an apply would: the events it
// writes are after its AppliedAt.
func (w *world) apply(yaml string, secrets map[string]string) {
	w.update(func(tx store.Tx) error {
		for name, v := range secrets {
			if _, _, err := secret.Put(tx, w.box, name, []byte(v), secret.ViaSet, "test", time.Now()); err != nil {
				return err
			}
		}
		a, err := tx.GetApp()
		if err != nil {
			a = store.App{Name: "shop"}
		}
		a.Spec, a.File, a.AppliedAt = yaml, "slipway.yaml", time.Now()
		return tx.PutApp(a)
	})
}

// events appends n events of type typ for service svc.
func (w *world) events(n int, typ store.EventType, svc string) {
	w.update(func(tx store.Tx) error {
		for range n {
			if _, err := tx.AppendEvent(store.Event{Time: time.Now(), Type: typ, Service: svc, Message: "rolled back: error rate 7%"}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *world) log(name string) Log {
	return Log{Name: name, Store: w.store, Changed: w.store.Changed}
}

func (w *world) config(name string) Config {
	return Config{Env: w.log(name), Box: w.box, Clock: clock.Real{}, Logger: slog.New(slog.DiscardHandler),
		Backoff: Backoff{Base: 10 * time.Millisecond, Max: 80 * time.Millisecond}, Poll: 200 * time.Millisecond}
}

// run starts a Deliverer until the test ends or stop is called.
func run(t *testing.T, cfg Config) (stop func()) { return start(t, New(cfg)) }

// start runs d until the test ends or stop is called.
func start(t *testing.T, d *Deliverer) (stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// backoffs stands in for a Deliverer's wait: each backoff a lane asks
// for is handed to the test (next), and the lane waits until the test
// lets it go (release), so a test steps the retries one by one and
// sleeps through none.
type backoffs struct {
	asked   chan time.Duration
	release chan struct{}
}

// newBackoffs returns the Deliverer of cfg with its waits handed to the
// test.
func newBackoffs(cfg Config) (*Deliverer, *backoffs) {
	b := &backoffs{asked: make(chan time.Duration), release: make(chan struct{})}
	d := New(cfg)
	d.wait = b.wait
	return d, b
}

func (b *backoffs) wait(ctx context.Context, d time.Duration) {
	select {
	case b.asked <- d:
	case <-ctx.Done():
		return
	}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
}

// next returns the backoff the lane asks for next: its failure is
// recorded by then, and it waits until released.
func (b *backoffs) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-b.asked:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("the lane backed off no more")
		return 0
	}
}

// caughtUp waits until every lane of env (and of hub for env) has read
// its log to the end: what it was to send is sent, since the receiver
// records a delivery before it answers and the lane moves its cursor
// after. The log's events must be after every lane's start.
func (w *world) caughtUp(env, hub Log) []Status {
	w.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, err := ReadStatus(w.t.Context(), env, hub, w.box)
		if err != nil {
			w.t.Fatal(err)
		}
		done := len(st) > 0
		for _, s := range st {
			done = done && s.Cursor > 0 && s.Lag == 0
		}
		if done {
			return st
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("lanes did not read their logs to the end: %+v", st)
		}
	}
}

func decodePayload(t *testing.T, b []byte) Payload {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}
