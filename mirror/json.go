package mirror

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// walker compares two decoded JSON documents, collecting a Difference
// per differing leaf. path is the current position.
type walker struct {
	c    *compiled
	path []segment
	out  []Difference
}

// root compares whole documents ($ itself may be ignored).
func (w *walker) root(a, b any) {
	if !w.ignored() {
		w.value(a, b)
	}
}

// value compares two values at w.path, which is not ignored.
func (w *walker) value(a, b any) {
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			w.object(x, y)
			return
		}
	case []any:
		if y, ok := b.([]any); ok {
			w.array(x, y)
			return
		}
	}
	if !sameLeaf(a, b) {
		w.add(render(a), render(b))
	}
}

// object compares two objects key by key, in key order.
func (w *walker) object(a, b map[string]any) {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.child(segment{kind: keyStep, key: k}, a[k], b[k], hasKey(a, k), hasKey(b, k))
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// array compares two arrays index by index; the longer one's extra
// elements are each a difference.
func (w *walker) array(a, b []any) {
	for i := range max(len(a), len(b)) {
		var va, vb any
		if i < len(a) {
			va = a[i]
		}
		if i < len(b) {
			vb = b[i]
		}
		w.child(segment{kind: indexStep, index: i}, va, vb, i < len(a), i < len(b))
	}
}

// child compares one key's or element's values; inA and inB say which
// side has it.
func (w *walker) child(s segment, a, b any, inA, inB bool) {
	if len(w.out) >= maxDifferences {
		return
	}
	w.path = append(w.path, s)
	defer func() { w.path = w.path[:len(w.path)-1] }()
	switch {
	case w.ignored():
	case !inA:
		w.add(absent, render(b))
	case !inB:
		w.add(render(a), absent)
	default:
		w.value(a, b)
	}
}

// ignored reports whether the current path is one of the ignored ones.
func (w *walker) ignored() bool {
	for _, p := range w.c.ignore {
		if matches(p, w.path) {
			return true
		}
	}
	return false
}

func (w *walker) add(a, b string) {
	if len(w.out) < maxDifferences {
		w.out = append(w.out, Difference{formatPath(w.path), a, b})
	}
}

// sameLeaf compares two JSON values of which at least one is not a
// container: numbers by value (1 and 1.0 are equal), others exactly.
func sameLeaf(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && sameNumber(x, y)
	}
	return false // containers of different kinds
}

func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	fa, errA := strconv.ParseFloat(string(a), 64)
	fb, errB := strconv.ParseFloat(string(b), 64)
	return errA == nil && errB == nil && fa == fb
}

// render writes a JSON value compactly for a Difference, truncated.
func render(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return "(unprintable)"
	}
	return short(string(bytes.TrimRight(b.Bytes(), "\n")))
}
