package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/slipway-dev/slipway/spec"
)

// Assign returns a copy of values with each assignment applied in turn.
// An assignment is "key=value" or "key.sub=value" (nested objects are
// created as needed); the value is read as JSON when it parses as JSON
// (3000 is a number, true a boolean, {"a":1} an object), else it is the
// string as written. An assignment through a value that is not an object
// is an error naming it.
func Assign(values spec.ConfigValues, assignments []string) (spec.ConfigValues, error) {
	out := values.Clone()
	if out == nil {
		out = spec.ConfigValues{}
	}
	for _, a := range assignments {
		key, raw, ok := strings.Cut(a, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("%q: want key=value (key.sub=value for a nested field)", a)
		}
		parts := strings.Split(key, ".")
		if slices.Contains(parts, "") {
			return nil, fmt.Errorf("%q: empty field name in %q", a, key)
		}
		if err := assign(out, parts, parseValue(raw)); err != nil {
			return nil, fmt.Errorf("%q: %w", a, err)
		}
	}
	return out, nil
}

func assign(m map[string]any, parts []string, v any) error {
	for i, p := range parts[:len(parts)-1] {
		next, ok := m[p]
		if !ok || next == nil {
			child := map[string]any{}
			m[p] = child
			m = child
			continue
		}
		child, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is %s, not an object", strings.Join(parts[:i+1], "."), kindOf(next))
		}
		m = child
	}
	m[parts[len(parts)-1]] = v
	return nil
}

// parseValue reads s as JSON, or keeps it as a string.
func parseValue(s string) any {
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	if err := d.Decode(&v); err != nil || d.More() {
		return s
	}
	return v
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// ParseDocument reads a whole config from a JSON or YAML document (file
// names the document in errors): it must be an object.
func ParseDocument(file string, data []byte) (spec.ConfigValues, error) {
	var raw any
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("%s: not valid JSON: %w", file, err)
		}
	} else if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: neither JSON nor YAML: %w", file, err)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: must hold an object of values, like {\"timeoutMs\": 2000}; got %s", file, describe(raw))
	}
	v, err := spec.NormalizeConfigValues(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return v, nil
}

func describe(v any) string {
	if v == nil {
		return "nothing"
	}
	return kindOf(v)
}

// Canonical returns values as compact JSON with keys in order: the form
// stored, compared and delivered (an ETag is its digest).
func Canonical(values spec.ConfigValues) []byte {
	if values == nil {
		return []byte("{}")
	}
	b, err := json.Marshal(map[string]any(values))
	if err != nil { // normalized values always encode
		panic(fmt.Sprintf("config values do not encode: %v", err))
	}
	return b
}
