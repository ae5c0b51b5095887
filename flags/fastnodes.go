package flags

import (
	"strings"

	"cel.dev/cel-go/common/operators"
)

// constNode is true or false.
type constNode bool

func (n constNode) eval(Context) tri {
	if n {
		return triTrue
	}
	return triFalse
}

// andNode is CEL's commutative &&: false wins over errors, and the
// right side is not evaluated when the left is false. A punt on a side
// that is evaluated punts the whole: cel-go evaluates the same sides in
// the same order, and what it does with a value the fast path does not
// model is its business (it may even fail where false would win).
type andNode struct{ l, r node }

func (n *andNode) eval(c Context) tri {
	a := n.l.eval(c)
	if a == triFalse || a == triPunt {
		return a
	}
	switch b := n.r.eval(c); {
	case b == triFalse || b == triPunt:
		return b
	case a == triTrue && b == triTrue:
		return triTrue
	}
	return triError
}

// orNode is CEL's commutative ||: true wins over errors, as andNode.
type orNode struct{ l, r node }

func (n *orNode) eval(c Context) tri {
	a := n.l.eval(c)
	if a == triTrue || a == triPunt {
		return a
	}
	switch b := n.r.eval(c); {
	case b == triTrue || b == triPunt:
		return b
	case a == triFalse && b == triFalse:
		return triFalse
	}
	return triError
}

type notNode struct{ x node }

func (n *notNode) eval(c Context) tri {
	switch t := n.x.eval(c); t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	default:
		return t
	}
}

// attrNode is a bool attribute used as a condition: ctx.beta.
type attrNode struct{ p path }

func (n *attrNode) eval(c Context) tri {
	v, t := n.p.get(c)
	if t != triTrue {
		return t
	}
	switch x := v.(type) {
	case bool:
		return boolTri(x)
	default:
		return known(v, triError)
	}
}

// eqNode is ctx.x == lit, or != with not.
type eqNode struct {
	p   path
	l   lit
	not bool
}

func (n *eqNode) eval(c Context) tri {
	v, t := n.p.get(c)
	if t != triTrue {
		return t
	}
	eq, ok := n.l.equal(v)
	if !ok {
		return triPunt
	}
	return boolTri(eq != n.not)
}

// orderNode is ctx.x < lit, <=, > or >=.
type orderNode struct {
	p  path
	l  lit
	op string
}

func (n *orderNode) eval(c Context) tri {
	v, t := n.p.get(c)
	if t != triTrue {
		return t
	}
	cmp, t := n.l.compare(v)
	if t != triTrue {
		return t
	}
	switch n.op {
	case operators.Less:
		return boolTri(cmp < 0)
	case operators.LessEquals:
		return boolTri(cmp <= 0)
	case operators.Greater:
		return boolTri(cmp > 0)
	}
	return boolTri(cmp >= 0)
}

// inListNode is ctx.x in [lit, ...].
type inListNode struct {
	p    path
	list []lit
}

func (n *inListNode) eval(c Context) tri {
	v, t := n.p.get(c)
	if t != triTrue {
		return t
	}
	for i := range n.list {
		eq, ok := n.list[i].equal(v)
		if !ok {
			return triPunt
		}
		if eq {
			return triTrue
		}
	}
	return triFalse
}

// containsNode is lit in ctx.x: an element of a list, or a key of a map.
type containsNode struct {
	p path
	l lit
}

func (n *containsNode) eval(c Context) tri {
	v, t := n.p.get(c)
	if t != triTrue {
		return t
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			eq, ok := n.l.equal(e)
			if !ok {
				return triPunt
			}
			if eq {
				return triTrue
			}
		}
		return triFalse
	case map[string]any:
		_, ok := x[n.l.s]
		return boolTri(ok && n.l.kind == litString) // other keys: never in a string-keyed map
	}
	return known(v, triError)
}

// stringMethods are the string functions the fast path runs.
var stringMethods = map[string]func(s, arg string) bool{
	"startsWith": strings.HasPrefix,
	"endsWith":   strings.HasSuffix,
	"contains":   strings.Contains,
}

// stringNode is ctx.x.startsWith(arg), endsWith or contains.
type stringNode struct {
	p   path
	arg string
	fn  func(s, arg string) bool
}

func (n *stringNode) eval(c Context) tri {
	v, t := n.p.get(c)
	if t != triTrue {
		return t
	}
	if s, ok := v.(string); ok {
		return boolTri(n.fn(s, n.arg))
	}
	return known(v, triError)
}

// hasNode1 is has(ctx.x): whether the context has the attribute.
type hasNode1 struct{ name string }

func (n *hasNode1) eval(c Context) tri {
	_, ok := c.attribute(n.name)
	return boolTri(ok)
}

// hasFieldNode is has(ctx.x.f): whether ctx.x, a map, has f. As in
// cel-go, a missing ctx.x is an error, a list is an error (it has
// indexes, not fields), and a scalar has no fields: false.
type hasFieldNode struct {
	parent path
	field  string
}

func (n *hasFieldNode) eval(c Context) tri {
	v, t := n.parent.get(c)
	if t != triTrue {
		return t
	}
	switch x := v.(type) {
	case map[string]any:
		_, has := x[n.field]
		return boolTri(has)
	case []any:
		return triError
	}
	return known(v, triFalse)
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// known returns t when v has a type the fast path models (what JSON
// decodes to, int and int64), and triPunt otherwise: CEL may treat a
// Go type the fast path does not know in ways it cannot tell.
func known(v any, t tri) tri {
	switch v.(type) {
	case nil, bool, string, float64, int, int64, []any, map[string]any:
		return t
	}
	return triPunt
}
