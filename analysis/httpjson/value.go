package httpjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/theory/jsonpath"
)

// field is a parsed JSONPath with its text as written, for errors.
type field struct {
	text string
	path *jsonpath.Path
}

// parseField parses a JSONPath; "" is the whole document, $.
func parseField(text string) (field, error) {
	if text == "" {
		text = "$"
	}
	p, err := jsonpath.Parse(text)
	if err != nil {
		return field{}, fmt.Errorf("path %s: %w", text, err)
	}
	return field{text: text, path: p}, nil
}

// pick parses body as JSON and returns the one number that f selects.
func pick(body []byte, f field) (float64, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return 0, fmt.Errorf("not JSON: %w: body %s", err, snippet(body))
	}
	nodes := f.path.Select(doc)
	switch len(nodes) {
	case 0:
		return 0, fmt.Errorf("path %s: not found", f.text)
	case 1:
	default:
		return 0, fmt.Errorf("path %s: selects %d values, want one", f.text, len(nodes))
	}
	v, err := number(nodes[0])
	if err != nil {
		return 0, fmt.Errorf("path %s: %w", f.text, err)
	}
	return v, nil
}

// number reads a JSON value as a number: a number, a bool (1 or 0), or a
// string holding a finite number.
func number(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("found the string %q, want a number", v)
		}
		return f, nil
	case nil:
		return 0, errors.New("found null, want a number")
	case map[string]any:
		return 0, errors.New("found an object, want a number")
	case []any:
		return 0, errors.New("found an array, want a number")
	default:
		return 0, fmt.Errorf("found %T, want a number", v)
	}
}
