package ofrep

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/flags"
)

// Evaluator evaluates flags for the handler: the flags engine over the
// store in the server, a map of canned results in tests.
type Evaluator interface {
	// Evaluate evaluates one flag. A missing flag is a Result with
	// ErrorCode flags.ErrFlagNotFound; evaluation problems are Results
	// too, never panics.
	Evaluate(key string, c flags.Context) flags.Result
	// EvaluateAll evaluates every flag, in a stable order.
	EvaluateAll(c flags.Context) []flags.Result
	// Version names the configuration: it changes whenever any flag
	// changes, and a Version read before an evaluation is never newer
	// than the configuration that evaluation used (bulk ETags rely on it).
	Version() string
	// Changed returns a channel closed at the next change after the call.
	Changed() <-chan struct{}
}

// Config is the handler's configuration: start from Default().
type Config struct {
	// Evaluator answers the evaluations. Required.
	Evaluator Evaluator
	// CheckKey checks an evaluation key; nil means no keys exist.
	CheckKey KeyChecker
	// AllowAnonymous serves requests that carry no key.
	AllowAnonymous bool
	// MaxBody caps a request body, in bytes.
	MaxBody int64
	// KeepAlive is how often an idle event stream gets a comment.
	KeepAlive time.Duration
	// StreamMaxAge ends an event stream; the client reconnects.
	StreamMaxAge time.Duration
	// MaxStreams bounds the event streams open at once.
	MaxStreams int
	// WriteTimeout bounds each write to an event stream.
	WriteTimeout time.Duration
	// PublicURL, if set (e.g. "https://flags.example.com"), makes the
	// advertised event stream an absolute "url"; otherwise it is an
	// "endpoint" relative to the client's OFREP base URL.
	PublicURL string
	// Logger gets the failures answered with 500.
	Logger *slog.Logger
}

// Default returns the configuration without an Evaluator or keys.
func Default() Config {
	return Config{
		MaxBody:      1 << 20,
		KeepAlive:    15 * time.Second,
		StreamMaxAge: 10 * time.Minute,
		MaxStreams:   1024,
		WriteTimeout: 10 * time.Second,
		Logger:       slog.Default(),
	}
}

// Paths served by the Handler.
const (
	PathFlags         = "/ofrep/v1/evaluate/flags"
	PathEvents        = "/ofrep/v1/events"
	PathConfiguration = "/ofrep/v1/configuration"
)

// Handler serves OFREP. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	done    chan struct{} // closed by Close: event streams end
	closing sync.Once
	open    atomic.Int64 // event streams open
	streams []byte       // the eventStreams member of bulk answers
}

// New returns a Handler, or an error if cfg cannot work.
func New(cfg Config) (*Handler, error) {
	var problems []error
	if cfg.Evaluator == nil {
		problems = append(problems, errors.New("no evaluator"))
	}
	if cfg.CheckKey == nil && !cfg.AllowAnonymous {
		problems = append(problems, errors.New("no key checker and anonymous access not allowed: every request would be refused"))
	}
	if cfg.MaxBody <= 0 || cfg.KeepAlive <= 0 || cfg.StreamMaxAge <= 0 || cfg.MaxStreams <= 0 || cfg.WriteTimeout <= 0 {
		problems = append(problems, errors.New("limits must be positive (start from ofrep.Default())"))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Handler{cfg: cfg, done: make(chan struct{}), streams: eventStreams(cfg.PublicURL)}, nil
}

// Close ends every event stream (http.Server.Shutdown waits for them
// otherwise; register it with RegisterOnShutdown). Evaluations go on.
func (h *Handler) Close() {
	h.closing.Do(func() { close(h.done) })
}

// ServeHTTP routes OFREP's paths.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	key, single := strings.CutPrefix(path, PathFlags+"/")
	switch {
	case single && key != "":
		h.serve(w, r, http.MethodPost, h.evaluateOne, key)
	case path == PathFlags || single:
		h.serve(w, r, http.MethodPost, h.evaluateAll, "")
	case path == PathEvents:
		h.serve(w, r, http.MethodGet, h.events, "")
	case path == PathConfiguration:
		h.serve(w, r, http.MethodGet, h.configuration, "")
	default:
		http.NotFound(w, r)
	}
}

// endpoint serves one path for an authorised request; key is the flag key.
type endpoint func(w http.ResponseWriter, r *http.Request, c caller, key string)

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, method string, serve endpoint, key string) {
	if r.Method != method {
		w.Header().Set("Allow", method)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	c, err := h.authorize(r)
	if err != nil {
		h.refuse(w, err)
		return
	}
	serve(w, r, c, key)
}
