package ofreptest

import (
	"strconv"
	"sync"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
)

// Canned is an ofrep.Evaluator for tests: each flag is a function of the
// context returning a canned Result. Set changes a flag and the version,
// like a store commit. Safe for concurrent use.
type Canned struct {
	mu      sync.Mutex // guards everything below
	flags   map[string]func(flags.Context) flags.Result
	order   []string
	version int
	changed chan struct{}
	calls   int           // Evaluate and EvaluateAll calls
	last    flags.Context // the last context evaluated
}

var _ ofrep.Evaluator = (*Canned)(nil)

// NewCanned returns a Canned without flags.
func NewCanned() *Canned {
	return &Canned{flags: map[string]func(flags.Context) flags.Result{}, changed: make(chan struct{})}
}

// Set makes key answer with f, and is a configuration change.
func (e *Canned) Set(key string, f func(flags.Context) flags.Result) *Canned {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.flags[key]; !ok {
		e.order = append(e.order, key)
	}
	e.flags[key] = f
	e.version++
	close(e.changed)
	e.changed = make(chan struct{})
	return e
}

// Touch is a configuration change that changes no answer.
func (e *Canned) Touch() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.version++
	close(e.changed)
	e.changed = make(chan struct{})
}

// Evaluate answers key's canned result, or FLAG_NOT_FOUND.
func (e *Canned) Evaluate(key string, c flags.Context) flags.Result {
	e.record(c)
	return e.evaluate(key, c)
}

// EvaluateAll answers every flag, in the order they were first Set.
func (e *Canned) EvaluateAll(c flags.Context) []flags.Result {
	e.record(c)
	e.mu.Lock()
	keys := append([]string(nil), e.order...)
	e.mu.Unlock()
	out := make([]flags.Result, 0, len(keys))
	for _, k := range keys {
		out = append(out, e.evaluate(k, c))
	}
	return out
}

func (e *Canned) record(c flags.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	e.last = c
}

func (e *Canned) evaluate(key string, c flags.Context) flags.Result {
	e.mu.Lock()
	f, ok := e.flags[key]
	e.mu.Unlock()
	if !ok {
		return flags.Result{Key: key, Reason: flags.ReasonError, ErrorCode: flags.ErrFlagNotFound, ErrorDetails: "no flag " + strconv.Quote(key)}
	}
	r := f(c)
	r.Key = key
	return r
}

// Version counts the changes.
func (e *Canned) Version() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return "v" + strconv.Itoa(e.version)
}

// Changed is closed by the next Set or Touch.
func (e *Canned) Changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}

// Calls counts Evaluate and EvaluateAll calls.
func (e *Canned) Calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls
}

// Last is the context of the last evaluation.
func (e *Canned) Last() flags.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// Static answers value whatever the context.
func Static(value any, variant string, reason flags.Reason) func(flags.Context) flags.Result {
	return func(flags.Context) flags.Result {
		return flags.Result{Value: value, Variant: variant, Reason: reason}
	}
}

// Failing answers an evaluation error.
func Failing(code flags.ErrorCode, detail string) func(flags.Context) flags.Result {
	return func(flags.Context) flags.Result {
		return flags.Result{Reason: flags.ReasonError, ErrorCode: code, ErrorDetails: detail}
	}
}

// ByCountry is a targeting rule: "on" for NL, else the default "off".
func ByCountry(c flags.Context) flags.Result {
	if c.Attributes["country"] == "NL" {
		return flags.Result{Value: true, Variant: "on", Reason: flags.ReasonTargetingMatch}
	}
	return flags.Result{Value: false, Variant: "off", Reason: flags.ReasonDefault}
}

// Split needs a targeting key, like a percentage rollout: "blue" for
// everyone who has one (the engine's 50/50 split of FlagsYAML puts
// user-2, the one Run asks for, in blue).
func Split(c flags.Context) flags.Result {
	if c.TargetingKey == "" {
		return flags.Result{Reason: flags.ReasonError, ErrorCode: flags.ErrTargetingKeyMissing, ErrorDetails: "a percentage rollout needs a targeting key"}
	}
	return flags.Result{Value: "blue", Variant: "blue", Reason: flags.ReasonSplit}
}

// Fixture is a Canned serving the flags Run expects (see Flags).
func Fixture() *Canned {
	return NewCanned().
		Set("bool-flag", WithMetadata(Static(true, "on", flags.ReasonStatic), map[string]any{"class": "release", "owner": "payments-team"})).
		Set("string-flag", Static("hello", "greeting", flags.ReasonStatic)).
		Set("int-flag", Static(int64(42), "answer", flags.ReasonStatic)).
		Set("float-flag", Static(3.25, "pi-ish", flags.ReasonStatic)).
		Set("object-flag", Static(map[string]any{"color": "red", "size": float64(3)}, "red", flags.ReasonStatic)).
		Set("targeted", ByCountry).
		Set("split", Split).
		Set("disabled", Static(false, "off", flags.ReasonDisabled)).
		Set("parse-error", Failing(flags.ErrParse, "flag definition is broken")).
		Set("invalid-context", Failing(flags.ErrInvalidContext, "ctx.age must be a number")).
		Set("general-error", Failing(flags.ErrGeneral, "rule failed")).
		Set("type-mismatch", Failing(flags.ErrTypeMismatch, "variant is not a boolean"))
}

// WithMetadata adds flag metadata to f's results.
func WithMetadata(f func(flags.Context) flags.Result, md map[string]any) func(flags.Context) flags.Result {
	return func(c flags.Context) flags.Result {
		r := f(c)
		r.Metadata = md
		return r
	}
}
