package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// FlagType is the type of a flag's values.
type FlagType string

// The flag types, as OpenFeature names them.
const (
	TypeBoolean FlagType = "boolean" // Go bool
	TypeString  FlagType = "string"  // Go string
	TypeInteger FlagType = "integer" // Go int64
	TypeFloat   FlagType = "float"   // Go float64
	TypeObject  FlagType = "object"  // Go map[string]any
)

// FlagTypes lists the flag types, for errors and docs.
func FlagTypes() []string {
	return []string{string(TypeBoolean), string(TypeString), string(TypeInteger), string(TypeFloat), string(TypeObject)}
}

// errFlagType says the value does not fit the type; Convert wraps it.
var errFlagType = errors.New("wrong type")

// Convert returns v as the type's Go value: bool, string, int64 (from
// any whole number), float64 (from any number) or map[string]any. It
// returns an error wrapping a "must be ..." message when v does not fit.
func (t FlagType) Convert(v any) (any, error) {
	switch t {
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case TypeString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case TypeInteger:
		if n, ok := toInt64(v); ok {
			return n, nil
		}
	case TypeFloat:
		if f, ok := toFloat64(v); ok {
			return f, nil
		}
	case TypeObject:
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
	default:
		return nil, fmt.Errorf("unknown flag type %q: %w", t, errFlagType)
	}
	return nil, fmt.Errorf("must be %s (type %s); got %s: %w", t.want(), t, describeValue(v), errFlagType)
}

// want says what a value of the type looks like.
func (t FlagType) want() string {
	switch t {
	case TypeBoolean:
		return "true or false"
	case TypeString:
		return "a string"
	case TypeInteger:
		return "a whole number"
	case TypeFloat:
		return "a number"
	}
	return "a mapping, like {color: blue, size: 3}"
}

func (t FlagType) known() bool {
	switch t {
	case TypeBoolean, TypeString, TypeInteger, TypeFloat, TypeObject:
		return true
	}
	return false
}

func (c FlagClass) known() bool {
	switch c {
	case ClassRelease, ClassExperiment, ClassPermission, ClassOperational:
		return true
	}
	return false
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && n >= -(1<<63) && n < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}

func toFloat64(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

// describeValue names a decoded value, for "must be X; got Y" messages.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return strconv.Quote(x) + " (a string)"
	case int, int32, int64, float32, float64:
		return fmt.Sprintf("the number %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("a %T", v)
}

// FlagValue is a variant's value as written: after decoding, one of
// nil, bool, string, int64, float64, []any or map[string]any (numbers
// without a fraction are int64). ApplyDefaults converts it to the
// flag's type.
type FlagValue struct{ Value any }

// UnmarshalYAML reads any YAML value.
func (v *FlagValue) UnmarshalYAML(n *yaml.Node) error {
	var x any
	if err := n.Decode(&x); err != nil {
		return fmt.Errorf("invalid value: %w", err)
	}
	x, err := normalize(x)
	if err != nil {
		return err
	}
	v.Value = x
	return nil
}

// MarshalYAML writes the value.
func (v FlagValue) MarshalYAML() (any, error) { return v.Value, nil }

// MarshalJSON writes the value as JSON.
func (v FlagValue) MarshalJSON() ([]byte, error) { return json.Marshal(v.Value) }

// UnmarshalJSON reads any JSON value, keeping whole numbers as int64.
func (v *FlagValue) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return fmt.Errorf("invalid flag value: %w", err)
	}
	x, err := normalize(x)
	if err != nil {
		return err
	}
	v.Value = x
	return nil
}

// String renders the value as compact JSON, for diffs.
func (v FlagValue) String() string {
	b, err := json.Marshal(v.Value)
	if err != nil {
		return fmt.Sprint(v.Value)
	}
	return string(b)
}

// normalize turns what YAML and JSON decoders produce into the value
// kinds FlagValue documents.
func normalize(x any) (any, error) {
	switch v := x.(type) {
	case int:
		return int64(v), nil
	case uint64:
		return float64(v), nil
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
		return v.Float64()
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		return normalizeMap(v)
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("mapping keys must be strings; got %s", describeValue(k))
			}
			m[s] = e
		}
		return normalizeMap(m)
	}
	return x, nil
}

func normalizeMap(v map[string]any) (any, error) {
	out := make(map[string]any, len(v))
	for k, e := range v {
		n, err := normalize(e)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// cloneValue deep-copies lists and mappings; scalars are values.
func cloneValue(x any) any {
	switch v := x.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = cloneValue(e)
		}
		return out
	}
	return x
}
