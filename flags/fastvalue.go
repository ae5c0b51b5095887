package flags

import (
	"math"
	"strings"
)

// path is an attribute read: ctx.first.rest[0].rest[1]...
type path struct {
	first string
	rest  []string
}

// get returns the value at the path with triTrue, triError when CEL
// would fail (a missing key, a field of something that is not a map),
// or triPunt for a Go type the fast path does not model.
func (p *path) get(c Context) (any, tri) {
	v, ok := c.attribute(p.first)
	if !ok {
		return nil, triError
	}
	for _, f := range p.rest {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, known(v, triError)
		}
		if v, ok = m[f]; !ok {
			return nil, triError
		}
	}
	return v, triTrue
}

type litKind uint8

const (
	litString litKind = iota
	litInt
	litDouble
	litBool
	litNull
)

// lit is a literal of a condition.
type lit struct {
	kind litKind
	s    string
	i    int64
	f    float64
	b    bool
}

// equal is CEL's heterogeneous equality between a context value and the
// literal: values of different types are not equal (no error), and
// numbers compare across int and double. ok is false for a Go type the
// fast path does not model.
func (l *lit) equal(v any) (eq, ok bool) {
	switch x := v.(type) {
	case string:
		return l.kind == litString && l.s == x, true
	case bool:
		return l.kind == litBool && l.b == x, true
	case nil:
		return l.kind == litNull, true
	case float64:
		return l.isNumber() && !math.IsNaN(x) && compareDouble(x, l) == 0, true
	case int:
		return l.isNumber() && compareInt(int64(x), l) == 0, true
	case int64:
		return l.isNumber() && compareInt(x, l) == 0, true
	case []any, map[string]any:
		return false, true
	}
	return false, false
}

func (l *lit) isNumber() bool { return l.kind == litInt || l.kind == litDouble }

// compare orders a context value against the literal (a string or a
// number): -1, 0 or 1 with triTrue; triFalse when the comparison is
// false whatever the operator (CEL's rule for a NaN, even against a
// string); triError when CEL has no such comparison (a string against a
// number); or triPunt.
func (l *lit) compare(v any) (int, tri) {
	switch x := v.(type) {
	case string:
		if l.kind == litString {
			return strings.Compare(x, l.s), triTrue
		}
	case float64:
		if math.IsNaN(x) {
			return 0, triFalse
		}
		if l.isNumber() {
			return compareDouble(x, l), triTrue
		}
	case int:
		if l.isNumber() {
			return compareInt(int64(x), l), triTrue
		}
	case int64:
		if l.isNumber() {
			return compareInt(x, l), triTrue
		}
	}
	return 0, known(v, triError)
}

// compareDouble orders a double against a numeric literal as CEL does.
func compareDouble(d float64, l *lit) int {
	if l.kind == litDouble {
		return cmpFloat(d, l.f)
	}
	return cmpDoubleInt(d, l.i)
}

// compareInt orders an int against a numeric literal as CEL does.
func compareInt(i int64, l *lit) int {
	if l.kind == litInt {
		switch {
		case i < l.i:
			return -1
		case i > l.i:
			return 1
		}
		return 0
	}
	return -cmpDoubleInt(l.f, i)
}

// cmpDoubleInt is CEL's compareDoubleInt: doubles beyond int64's range
// are below or above every int.
func cmpDoubleInt(d float64, i int64) int {
	switch {
	case d < math.MinInt64:
		return -1
	case d > math.MaxInt64:
		return 1
	}
	return cmpFloat(d, float64(i))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
