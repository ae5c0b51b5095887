package feed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/spec"
)

// Paths on the server.
const (
	pathDefinitions = "/ofrep/v1/slipway/definitions"
	pathEvents      = "/ofrep/v1/events"
)

// Config says where the flags come from.
type Config struct {
	// URL is the server's base URL (its API address).
	URL string
	// Key is an evaluation key ("" when the server serves anonymously).
	Key string
	// HTTPClient makes the requests (default: one without a timeout,
	// as the event stream stays open; fetches have their own).
	HTTPClient *http.Client
	// Logger is told of lost connections (default: discard).
	Logger *slog.Logger
	// Instance are attributes added to every evaluation context that does
	// not set them itself, so that rules can target where the code runs
	// (ctx.service == "order" && ctx.revision == "7": on only for the
	// canary). Default: service, revision and environment from the
	// SLIPWAY_SERVICE, SLIPWAY_REVISION and SLIPWAY_ENVIRONMENT that
	// Slipway gives every instance.
	Instance map[string]any
}

// instanceFromEnv is the default Config.Instance.
func instanceFromEnv() map[string]any {
	out := map[string]any{}
	for attr, env := range map[string]string{"service": "SLIPWAY_SERVICE", "revision": "SLIPWAY_REVISION", "environment": "SLIPWAY_ENVIRONMENT"} {
		if v := os.Getenv(env); v != "" {
			out[attr] = v
		}
	}
	return out
}

// Feed is a live, compiled copy of the server's flags. Evaluate it from
// any number of goroutines.
type Feed struct {
	cfg      Config
	set      atomic.Pointer[flags.Set]
	revision atomic.Int64
	ready    chan struct{}
	once     sync.Once
	mu       sync.Mutex // guards waiters
	waiters  []chan struct{}
	// wait sleeps d before a reconnection, or returns false when ctx
	// ends first (tests record the backoff instead).
	wait func(ctx context.Context, d time.Duration) bool
}

// New returns a Feed; Run starts following the server.
func New(cfg Config) (*Feed, error) {
	if !strings.HasPrefix(cfg.URL, "http://") && !strings.HasPrefix(cfg.URL, "https://") {
		return nil, fmt.Errorf("feed: URL %q: want the server's base URL, like http://127.0.0.1:7400", cfg.URL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Instance == nil {
		cfg.Instance = instanceFromEnv()
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	f := &Feed{cfg: cfg, ready: make(chan struct{}), wait: sleep}
	empty, _ := flags.Compile(nil, nil, nil)
	f.set.Store(empty)
	return f, nil
}

// Ready is closed once the first definitions are loaded.
func (f *Feed) Ready() <-chan struct{} { return f.ready }

// Revision is the flag configuration revision being served (0 before
// the first fetch).
func (f *Feed) Revision() int { return int(f.revision.Load()) }

// Changed returns a channel closed when the next revision is loaded.
func (f *Feed) Changed() <-chan struct{} {
	ch := make(chan struct{})
	f.mu.Lock()
	f.waiters = append(f.waiters, ch)
	f.mu.Unlock()
	return ch
}

// Evaluate evaluates a flag with the latest definitions, in-process.
func (f *Feed) Evaluate(key string, c flags.Context) flags.Result {
	return f.set.Load().Evaluate(key, f.withInstance(c))
}

// EvaluateAll evaluates every flag.
func (f *Feed) EvaluateAll(c flags.Context) []flags.Result {
	return f.set.Load().EvaluateAll(f.withInstance(c))
}

// withInstance adds the instance's attributes the context lacks. It
// copies the attributes only when it adds one.
func (f *Feed) withInstance(c flags.Context) flags.Context {
	var out map[string]any
	for k, v := range f.cfg.Instance {
		if _, ok := c.Attributes[k]; ok {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(c.Attributes)+len(f.cfg.Instance))
			for ak, av := range c.Attributes {
				out[ak] = av
			}
		}
		out[k] = v
	}
	if out != nil {
		c.Attributes = out
	}
	return c
}

// Reconnection backoff: the first wait, doubling up to the last.
const (
	firstBackoff = 500 * time.Millisecond
	maxBackoff   = 30 * time.Second
)

// Run follows the server until ctx ends: it fetches the definitions,
// then waits on the event stream and fetches again at each event; a
// lost connection is retried with backoff (0.5s doubling to 30s). The
// backoff starts over once the feed follows the server again, so that
// each outage is retried promptly however many came before.
func (f *Feed) Run(ctx context.Context) error {
	return retry(ctx, f.follow, f.wait, func(err error, in time.Duration) {
		f.cfg.Logger.Warn("flag feed lost the server; retrying", "err", err, "in", in)
	})
}

// retry runs follow until ctx ends, waiting (wait) between attempts
// from firstBackoff doubling to maxBackoff, from the start again after
// an attempt that followed; lost says why each attempt ended.
func retry(ctx context.Context, follow func(context.Context) (bool, error), wait func(context.Context, time.Duration) bool, lost func(err error, in time.Duration)) error {
	backoff := firstBackoff
	for {
		followed, err := follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if followed {
			backoff = firstBackoff
		}
		lost(err, backoff)
		if !wait(ctx, backoff) {
			return nil
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// sleep waits d, or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// follow opens the event stream, fetches, and fetches again at each
// event until the stream ends; followed says it got as far as the first
// fetch. The stream is opened first so that no change between the fetch
// and the stream goes unseen.
func (f *Feed) follow(ctx context.Context) (followed bool, err error) {
	req, err := f.request(ctx, pathEvents)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := f.cfg.HTTPClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("open the flag event stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("open the flag event stream: %s", resp.Status)
	}
	if err := f.fetch(ctx); err != nil {
		return false, err
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data:") {
			if err := f.fetch(ctx); err != nil {
				return true, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return true, fmt.Errorf("read the flag event stream: %w", err)
	}
	return true, errors.New("the server ended the flag event stream")
}

// definitions is the server's flag configuration, as stored.
type definitions struct {
	Revision  int                      `json:"revision"`
	Flags     map[string]*spec.Flag    `json:"flags"`
	Segments  map[string]*spec.Segment `json:"segments"`
	Overrides map[string]struct {
		Enabled *bool              `json:"enabled"`
		Killed  bool               `json:"killed"`
		Default string             `json:"default"`
		Rollout map[string]float64 `json:"rollout"`
	} `json:"overrides"`
}

// fetch loads the definitions when they changed.
func (f *Feed) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := f.request(ctx, pathDefinitions)
	if err != nil {
		return err
	}
	if rev := f.Revision(); rev > 0 {
		req.Header.Set("If-None-Match", fmt.Sprintf(`"r%d"`, rev))
	}
	resp, err := f.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch flag definitions: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil
	case http.StatusOK:
	default:
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("fetch flag definitions: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	var d definitions
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&d); err != nil {
		return fmt.Errorf("decode flag definitions: %w", err)
	}
	return f.load(d)
}

func (f *Feed) load(d definitions) error {
	overrides := make(map[string]flags.Override, len(d.Overrides))
	for k, o := range d.Overrides {
		overrides[k] = flags.Override{Enabled: o.Enabled, Killed: o.Killed, Default: o.Default, Rollout: o.Rollout}
	}
	// Update recompiles only the flags that changed (a kill among 10,000
	// flags recompiles one).
	set, err := f.set.Load().Update(d.Flags, d.Segments, overrides)
	if err != nil {
		return fmt.Errorf("compile flag definitions revision %d: %w", d.Revision, err)
	}
	// Under mu, so that a Changed registered after this revision is
	// served waits for the next one.
	f.mu.Lock()
	f.set.Store(set)
	f.revision.Store(int64(d.Revision))
	waiters := f.waiters
	f.waiters = nil
	f.mu.Unlock()
	for _, ch := range waiters {
		close(ch)
	}
	f.once.Do(func() { close(f.ready) })
	return nil
}

func (f *Feed) request(ctx context.Context, path string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.cfg.URL+path, nil)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	if f.cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+f.cfg.Key)
	}
	return req, nil
}
