package ofrep_test

import (
	"strconv"
	"sync"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
)

// cannedEvaluator is the tests' ofrep.Evaluator: each flag is a function
// of the context returning a canned Result. Set changes a flag and the
// version, like a store commit.
type cannedEvaluator struct {
	mu      sync.Mutex // guards everything below
	flags   map[string]func(flags.Context) flags.Result
	order   []string
	version int
	changed chan struct{}
	calls   int           // Evaluate and EvaluateAll calls
	last    flags.Context // the last context evaluated
}

var _ ofrep.Evaluator = (*cannedEvaluator)(nil)

func newCanned() *cannedEvaluator {
	return &cannedEvaluator{flags: map[string]func(flags.Context) flags.Result{}, changed: make(chan struct{})}
}

// Set makes key answer with f, and is a configuration change.
func (e *cannedEvaluator) Set(key string, f func(flags.Context) flags.Result) *cannedEvaluator {
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
func (e *cannedEvaluator) Touch() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.version++
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *cannedEvaluator) Evaluate(key string, c flags.Context) flags.Result {
	e.record(c)
	return e.evaluate(key, c)
}

func (e *cannedEvaluator) EvaluateAll(c flags.Context) []flags.Result {
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

func (e *cannedEvaluator) record(c flags.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	e.last = c
}

func (e *cannedEvaluator) evaluate(key string, c flags.Context) flags.Result {
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

func (e *cannedEvaluator) Version() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return "v" + strconv.Itoa(e.version)
}

func (e *cannedEvaluator) Changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}

func (e *cannedEvaluator) Calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls
}

func (e *cannedEvaluator) Last() flags.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// static answers value whatever the context.
func static(value any, variant string, reason flags.Reason) func(flags.Context) flags.Result {
	return func(flags.Context) flags.Result {
		return flags.Result{Value: value, Variant: variant, Reason: reason}
	}
}

// failing answers an evaluation error.
func failing(code flags.ErrorCode, detail string) func(flags.Context) flags.Result {
	return func(flags.Context) flags.Result {
		return flags.Result{Reason: flags.ReasonError, ErrorCode: code, ErrorDetails: detail}
	}
}

// byCountry is a targeting rule: "on" for NL, else the default "off".
func byCountry(c flags.Context) flags.Result {
	if c.Attributes["country"] == "NL" {
		return flags.Result{Value: true, Variant: "on", Reason: flags.ReasonTargetingMatch}
	}
	return flags.Result{Value: false, Variant: "off", Reason: flags.ReasonDefault}
}

// split needs a targeting key, like a percentage rollout.
func split(c flags.Context) flags.Result {
	if c.TargetingKey == "" {
		return flags.Result{Reason: flags.ReasonError, ErrorCode: flags.ErrTargetingKeyMissing, ErrorDetails: "a percentage rollout needs a targeting key"}
	}
	return flags.Result{Value: "blue", Variant: "blue", Reason: flags.ReasonSplit}
}

// fixtures is the flag set the tests share.
func fixtures() *cannedEvaluator {
	return newCanned().
		Set("bool-flag", static(true, "on", flags.ReasonStatic)).
		Set("string-flag", static("hello", "greeting", flags.ReasonStatic)).
		Set("int-flag", static(int64(42), "answer", flags.ReasonStatic)).
		Set("float-flag", static(3.25, "pi-ish", flags.ReasonStatic)).
		Set("object-flag", static(map[string]any{"color": "red", "size": float64(3)}, "red", flags.ReasonStatic)).
		Set("targeted", byCountry).
		Set("split", split).
		Set("disabled", static(false, "off", flags.ReasonDisabled)).
		Set("parse-error", failing(flags.ErrParse, "flag definition is broken")).
		Set("invalid-context", failing(flags.ErrInvalidContext, "ctx.age must be a number")).
		Set("general-error", failing(flags.ErrGeneral, "rule failed")).
		Set("type-mismatch", failing(flags.ErrTypeMismatch, "variant is not a boolean"))
}
