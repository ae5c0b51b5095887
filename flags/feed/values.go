package feed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// ValuesConfig says where a dynamic configuration's values come from:
// the file Slipway delivers to the instance, or the server over HTTP.
type ValuesConfig struct {
	// Name is the config's name (configs: in slipway.yaml).
	Name string
	// File is the config's file (its version is in File + ".version").
	// Default: the file $SLIPWAY_CONFIG_<NAME> names, or NAME.json in
	// $SLIPWAY_CONFIG_DIR (a config added after the instance started).
	// Ignored when URL is set.
	File string
	// Poll is how often the file's version is read (default 1s): a
	// delivered file is replaced whole, version last.
	Poll time.Duration
	// URL, when set, is the server's base URL: the values come from GET
	// /v1/configs/NAME/values (with the version as ETag) and follow its
	// change stream (/stream), as the files would.
	URL string
	// Key is a bearer token that may read the config. Default: the
	// instance's own credential, $SLIPWAY_CONFIG_TOKEN (it reads only the
	// configs of the instance's service, its own version), else
	// $SLIPWAY_FLAG_KEY (the environment's evaluation key).
	Key string
	// Instance is the instance ID to ask for: during a delivery each
	// instance has its own version (default: $SLIPWAY_INSTANCE).
	Instance string
	// HTTPClient makes the requests (default: one without a timeout,
	// as the stream stays open; a fetch has its own).
	HTTPClient *http.Client
	// Logger is told of lost connections and unreadable values
	// (default: discard).
	Logger *slog.Logger
}

// Values is a live copy of a config's current values, decoded into T
// (a struct with json tags, or map[string]any). Read it from any number
// of goroutines; Run follows its source. Values that do not decode into
// T are refused: the last good ones keep serving, and Err says why.
type Values[T any] struct {
	cfg     ValuesConfig
	cur     atomic.Pointer[versioned[T]]
	ready   chan struct{}
	once    sync.Once
	mu      sync.Mutex // guards waiters, err
	waiters []chan struct{}
	err     error
}

type versioned[T any] struct {
	values  T
	version int
}

// NewValues returns the Values of config cfg.Name; Run starts following
// them.
func NewValues[T any](cfg ValuesConfig) (*Values[T], error) {
	if cfg.Name == "" {
		return nil, errors.New("feed: a config name is required")
	}
	if cfg.URL != "" && !strings.HasPrefix(cfg.URL, "http://") && !strings.HasPrefix(cfg.URL, "https://") {
		return nil, fmt.Errorf("feed: URL %q: want the server's base URL, like http://127.0.0.1:7400", cfg.URL)
	}
	if cfg.URL == "" && cfg.File == "" {
		cfg.File = os.Getenv(spec.ConfigEnvVar(cfg.Name))
		if dir := os.Getenv("SLIPWAY_CONFIG_DIR"); cfg.File == "" && dir != "" {
			cfg.File = filepath.Join(dir, cfg.Name+".json")
		}
		if cfg.File == "" {
			return nil, fmt.Errorf("feed: config %s: no file ($%s is not set) and no server URL", cfg.Name, spec.ConfigEnvVar(cfg.Name))
		}
	}
	for _, env := range []string{"SLIPWAY_CONFIG_TOKEN", "SLIPWAY_FLAG_KEY"} {
		if cfg.Key == "" {
			cfg.Key = os.Getenv(env)
		}
	}
	if cfg.Instance == "" {
		cfg.Instance = os.Getenv("SLIPWAY_INSTANCE")
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	v := &Values[T]{cfg: cfg, ready: make(chan struct{})}
	v.cur.Store(&versioned[T]{})
	return v, nil
}

// Get returns the current values and their version (the zero T and 0
// before the first load).
func (v *Values[T]) Get() (T, int) {
	c := v.cur.Load()
	return c.values, c.version
}

// Version is the version being served (0 before the first load).
func (v *Values[T]) Version() int { return v.cur.Load().version }

// Ready is closed once the first values are loaded.
func (v *Values[T]) Ready() <-chan struct{} { return v.ready }

// Changed returns a channel closed when the next version is loaded.
func (v *Values[T]) Changed() <-chan struct{} {
	ch := make(chan struct{})
	v.mu.Lock()
	v.waiters = append(v.waiters, ch)
	v.mu.Unlock()
	return ch
}

// Err is why the latest values that arrived were not loaded (nil when
// they were).
func (v *Values[T]) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// Run follows the values until ctx ends: the file's version every Poll,
// or the server's change stream, reconnecting with backoff (0.5s
// doubling to 30s, from the start again once it follows).
func (v *Values[T]) Run(ctx context.Context) error {
	if v.cfg.URL == "" {
		return v.pollFile(ctx)
	}
	return retry(ctx, v.follow, sleep, func(err error, in time.Duration) {
		v.cfg.Logger.Warn("config feed lost the server; retrying", "config", v.cfg.Name, "err", err, "in", in)
	})
}

// load decodes data as version n and serves it, unless it does not
// decode into T.
func (v *Values[T]) load(n int, data []byte) {
	var values T
	if err := json.Unmarshal(data, &values); err != nil {
		err = fmt.Errorf("config %s v%d: %w", v.cfg.Name, n, err)
		v.cfg.Logger.Warn("config feed keeps the last values", "err", err)
		v.mu.Lock()
		v.err = err
		v.mu.Unlock()
		return
	}
	v.mu.Lock()
	v.cur.Store(&versioned[T]{values: values, version: n})
	v.err = nil
	waiters := v.waiters
	v.waiters = nil
	v.mu.Unlock()
	for _, ch := range waiters {
		close(ch)
	}
	v.once.Do(func() { close(v.ready) })
}

// pollFile reads the file whenever its version changes. The values are
// written before the version: read version, values, version again, and
// take them only when both reads agree (else the next poll does).
func (v *Values[T]) pollFile(ctx context.Context) error {
	seen := 0
	for {
		if n, data, ok := v.readFile(); ok && n != seen {
			v.load(n, data)
			seen = n
		}
		if !sleep(ctx, v.cfg.Poll) {
			return nil
		}
	}
}

func (v *Values[T]) readFile() (int, []byte, bool) {
	before, err1 := readVersion(v.cfg.File + ".version")
	data, err2 := os.ReadFile(v.cfg.File)
	after, err3 := readVersion(v.cfg.File + ".version")
	if err := errors.Join(err1, err2, err3); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			v.cfg.Logger.Warn("config feed cannot read its file", "config", v.cfg.Name, "err", err)
		}
		return 0, nil, false // not delivered yet: a config added later appears here
	}
	return after, data, before == after
}

func readVersion(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// follow opens the change stream (saying the version it has, so that
// the server sends only a newer one), fetches the values when they
// changed, then loads each version the stream sends until it ends.
func (v *Values[T]) follow(ctx context.Context) (followed bool, err error) {
	req, err := v.request(ctx, "/stream")
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if n := v.Version(); n > 0 {
		req.Header.Set("Last-Event-ID", strconv.Itoa(n))
	}
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("open the config stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, httpError("open the config stream", resp)
	}
	if err := v.fetch(ctx); err != nil {
		return false, err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var u struct {
			Version int             `json:"version"`
			Values  json.RawMessage `json:"values"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &u); err != nil {
			return true, fmt.Errorf("read the config stream: %w", err)
		}
		if u.Version != v.Version() {
			v.load(u.Version, u.Values)
		}
	}
	if err := sc.Err(); err != nil {
		return true, fmt.Errorf("read the config stream: %w", err)
	}
	return true, errors.New("the server ended the config stream")
}

// fetch loads the values when their version is not the one served
// (If-None-Match: a 304 costs no body).
func (v *Values[T]) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := v.request(ctx, "/values")
	if err != nil {
		return err
	}
	if n := v.Version(); n > 0 {
		req.Header.Set("If-None-Match", `"`+strconv.Itoa(n)+`"`)
	}
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch config %s: %w", v.cfg.Name, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil
	case http.StatusOK:
	default:
		return httpError("fetch config "+v.cfg.Name, resp)
	}
	n, err := strconv.Atoi(strings.Trim(resp.Header.Get("ETag"), `W/"`))
	if err != nil {
		return fmt.Errorf("fetch config %s: no version in ETag %q", v.cfg.Name, resp.Header.Get("ETag"))
	}
	var data bytes.Buffer
	if _, err := data.ReadFrom(io.LimitReader(resp.Body, 16<<20)); err != nil {
		return fmt.Errorf("fetch config %s: %w", v.cfg.Name, err)
	}
	v.load(n, data.Bytes())
	return nil
}

func (v *Values[T]) request(ctx context.Context, suffix string) (*http.Request, error) {
	u := v.cfg.URL + "/v1/configs/" + url.PathEscape(v.cfg.Name) + suffix
	if v.cfg.Instance != "" {
		u += "?instance=" + url.QueryEscape(v.cfg.Instance)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	if v.cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+v.cfg.Key)
	}
	return req, nil
}

func httpError(what string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("%s: %s: %s", what, resp.Status, strings.TrimSpace(string(b)))
}
