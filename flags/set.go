package flags

import (
	"errors"
	"maps"
	"slices"

	"github.com/slipway-dev/slipway/spec"
)

// ErrUnknownFlag says a key names no flag.
var ErrUnknownFlag = errors.New("unknown flag")

// Set is a compiled, immutable set of flags: the spec's flags with their
// overrides applied, every condition compiled. Evaluate it from any
// number of goroutines; build a new Set when anything changes.
type Set struct {
	flags map[string]*flag
	keys  []string              // sorted
	conds map[string]*condition // every condition, by expression, for Update
}

// Compile checks the flags and segments as spec.ValidateFlags does (with
// conditions compiled as CEL; the error is then a *spec.Problems), and
// the overrides against their flags, and returns the compiled Set.
// Overrides of keys that are not flags are ignored: a flag removed from
// the spec takes its override with it. The arguments are not changed,
// nor kept.
//
// Compiling a condition costs about 100 µs (CEL's parser and checker),
// so a Set of 10,000 flags takes seconds: after a change, Update.
func Compile(flags map[string]*spec.Flag, segments map[string]*spec.Segment, overrides map[string]Override) (*Set, error) {
	return compile(nil, flags, segments, overrides)
}

// Update is Compile for a changed configuration: it reuses s's compiled
// conditions (by their text), so that only new expressions are
// compiled. s does not change, and may be nil.
func (s *Set) Update(flags map[string]*spec.Flag, segments map[string]*spec.Segment, overrides map[string]Override) (*Set, error) {
	var prev map[string]*condition
	if s != nil {
		prev = s.conds
	}
	return compile(prev, flags, segments, overrides)
}

func compile(prev map[string]*condition, flags map[string]*spec.Flag, segments map[string]*spec.Segment, overrides map[string]Override) (*Set, error) {
	conds := map[string]*condition{}
	check := func(expr string) error {
		if _, ok := conds[expr]; ok {
			return nil
		}
		if k, ok := prev[expr]; ok {
			conds[expr] = k
			return nil
		}
		k, err := compileCondition(expr)
		if err == nil {
			conds[expr] = k
		}
		return err
	}
	if err := spec.ValidateFlags(flags, segments, spec.Options{CheckFlagExpr: check}); err != nil {
		return nil, err
	}
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(overrides)) {
		if f := flags[key]; f != nil {
			errs = append(errs, overrides[key].Check(key, f))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s := &Set{flags: make(map[string]*flag, len(flags)), keys: slices.Sorted(maps.Keys(flags)), conds: conds}
	for _, key := range s.keys {
		s.flags[key] = newFlag(key, flags[key], overrides[key], segments, conds)
	}
	for _, key := range s.keys {
		s.flags[key].link(flags[key], s.flags)
	}
	return s, nil
}

// CompileApp compiles an app spec's flags and segments with overrides.
func CompileApp(app *spec.App, overrides map[string]Override) (*Set, error) {
	return Compile(app.Flags, app.Segments, overrides)
}

// Keys returns the flags' keys, sorted.
func (s *Set) Keys() []string { return slices.Clone(s.keys) }

// Evaluate returns the value of flag key for the context, and why.
// An unknown key is an error result (FLAG_NOT_FOUND), never a panic.
func (s *Set) Evaluate(key string, c Context) Result {
	f, ok := s.flags[key]
	if !ok {
		return notFound(key)
	}
	var vars map[string]any
	return f.evaluate(c, &vars)
}

// EvaluateAll evaluates every flag for the context, sorted by key.
func (s *Set) EvaluateAll(c Context) []Result {
	out := make([]Result, len(s.keys))
	var vars map[string]any // shared: CEL's view of c is built once
	for i, key := range s.keys {
		out[i] = s.flags[key].evaluate(c, &vars)
	}
	return out
}

func notFound(key string) Result {
	return Result{Key: key, Reason: ReasonError, ErrorCode: ErrFlagNotFound,
		ErrorDetails: "flag " + key + " not found"}
}
