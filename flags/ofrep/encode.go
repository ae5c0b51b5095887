package ofrep

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/slipway-dev/slipway/flags"
)

// The evaluation answers are written by hand rather than by encoding/json:
// they are the hot path, and reflection over a Result and its metadata map
// cost more than the evaluation. The output is byte for byte what
// encoding/json writes for the same shape (encode_test.go checks it);
// anything unusual (an object value, a string needing escapes) is handed
// to encoding/json.

// appendSuccess appends OFREP's evaluationSuccess for r under key:
// {"key","value","reason","variant","metadata"}, empty fields left out
// (a nil value is ADR-0006's "use the code default").
func appendSuccess(b []byte, key string, r *flags.Result) ([]byte, error) {
	var err error
	b = append(b, `{"key":`...)
	b = appendString(b, key)
	if r.Value != nil {
		b = append(b, `,"value":`...)
		if b, err = appendValue(b, r.Value); err != nil {
			return nil, fmt.Errorf("flag %s: value: %w", key, err)
		}
	}
	b = appendField(b, "reason", string(r.Reason))
	b = appendField(b, "variant", r.Variant)
	if len(r.Metadata) > 0 {
		b = append(b, `,"metadata":`...)
		if b, err = appendObject(b, r.Metadata); err != nil {
			return nil, fmt.Errorf("flag %s: metadata: %w", key, err)
		}
	}
	return append(b, '}'), nil
}

// appendFailure appends evaluationFailure (or flagNotFound).
func appendFailure(b []byte, key, code, detail string) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, key)
	b = appendField(b, "errorCode", code)
	b = appendField(b, "errorDetails", detail)
	return append(b, '}')
}

// appendResult appends the bulk element for r: a success or a failure.
func appendResult(b []byte, r *flags.Result) ([]byte, error) {
	if failed(r) {
		code, detail := wireError(r)
		return appendFailure(b, r.Key, code, detail), nil
	}
	return appendSuccess(b, r.Key, r)
}

// appendField appends ,"name":"value" unless value is empty.
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendValue appends v as JSON: scalars by hand, the rest by encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return appendString(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case float64:
		return appendFloat(b, v)
	case map[string]any:
		return appendObject(b, v)
	case []any:
		return appendArray(b, v)
	case nil:
		return append(b, "null"...), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, raw...), nil
}

// appendObject appends m with its keys sorted, as encoding/json does
// (but a nil map is {}, not null).
func appendObject(b []byte, m map[string]any) ([]byte, error) {
	var stack [16]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendArray appends a (null if nil, as encoding/json does).
func appendArray(b []byte, a []any) ([]byte, error) {
	if a == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, v); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendFloat formats f like encoding/json (ES6 number formatting).
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("unsupported number %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-07 -> e-7
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendString appends s quoted. Plain ASCII is copied; anything that
// encoding/json would escape (quotes, controls, <>&, non-ASCII) goes
// through it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(s) // a string always encodes
			return append(b, raw...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
