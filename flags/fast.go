package flags

import (
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// The fast path. CEL's Eval allocates (an activation, a value per
// attribute read), which would cost most of an evaluation's budget, so
// compileFast turns the common shapes of a condition into Go code over
// the context map, allocation-free:
//
//	a && b, a || b, !a, true, false
//	ctx.x == lit, ctx.x != lit        (lit: string, int, double, bool, null)
//	ctx.x < lit, <=, >, >=            (lit: string, int, double)
//	ctx.x in [lit, ...], lit in ctx.x
//	ctx.x.startsWith(s), endsWith(s), contains(s)
//	has(ctx.x), ctx.x (a bool attribute)
//
// where ctx.x is any path of fields or string indexes (ctx.user.plan,
// ctx["plan-id"]), and a literal may stand on either side of a
// comparison. Anything else (functions, arithmetic, macros, two
// attributes compared) runs on CEL.
//
// Each node answers with CEL's own semantics, including errors: a
// missing attribute or an operator applied to the wrong type is an
// error, which && and || absorb as CEL does (false && error is false,
// true || error is true), and which makes the whole condition not
// match. A value of a Go type the fast path does not model (only what
// JSON decodes to, plus int and int64, is modelled) makes the node punt:
// the condition is then evaluated by CEL, so the answer is always CEL's.

// tri is a node's answer.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triError // CEL yields an error or a non-bool value: no match
	triPunt  // the fast path cannot tell: ask CEL
)

// node is a compiled boolean expression.
type node interface {
	eval(c Context) tri
}

// compileFast compiles a checked CEL expression to a node, or returns
// nil when it has a shape the fast path does not know.
func compileFast(e ast.Expr) node {
	n, ok := boolNode(e)
	if !ok {
		return nil
	}
	return n
}

// boolNode compiles an expression that yields a bool.
func boolNode(e ast.Expr) (node, bool) {
	switch e.Kind() {
	case ast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			return constNode(b == types.True), true
		}
		return nil, false
	case ast.SelectKind:
		if e.AsSelect().IsTestOnly() {
			return hasNode(e)
		}
		p, ok := pathOf(e)
		return &attrNode{p}, ok
	case ast.CallKind:
		if e.AsCall().FunctionName() == operators.Index {
			p, ok := pathOf(e)
			return &attrNode{p}, ok
		}
		return callNode(e.AsCall())
	}
	return nil, false
}

// callNode compiles an operator or a string method.
func callNode(call ast.CallExpr) (node, bool) {
	args := call.Args()
	if call.IsMemberFunction() {
		return methodNode(call)
	}
	switch fn := call.FunctionName(); {
	case fn == operators.LogicalNot && len(args) == 1:
		x, ok := boolNode(args[0])
		return &notNode{x}, ok
	case (fn == operators.LogicalAnd || fn == operators.LogicalOr) && len(args) == 2:
		l, lok := boolNode(args[0])
		r, rok := boolNode(args[1])
		if fn == operators.LogicalAnd {
			return &andNode{l, r}, lok && rok
		}
		return &orNode{l, r}, lok && rok
	case fn == operators.In && len(args) == 2:
		return inNode(args[0], args[1])
	case len(args) == 2:
		return compareNode(fn, args[0], args[1])
	}
	return nil, false
}

// compareNode compiles ==, !=, <, <=, > and >= between a path and a
// literal, in either order.
func compareNode(fn string, a, b ast.Expr) (node, bool) {
	p, l, ok := pathAndLiteral(a, b)
	if !ok {
		return nil, false
	}
	if _, flipped := literalOf(a); flipped {
		fn = mirrored[fn]
	}
	switch fn {
	case operators.Equals:
		return &eqNode{p: p, l: l}, true
	case operators.NotEquals:
		return &eqNode{p: p, l: l, not: true}, true
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if l.kind == litBool || l.kind == litNull {
			return nil, false
		}
		return &orderNode{p: p, l: l, op: fn}, true
	}
	return nil, false
}

// mirrored turns "lit OP ctx.x" into "ctx.x OP' lit".
var mirrored = map[string]string{
	operators.Equals: operators.Equals, operators.NotEquals: operators.NotEquals,
	operators.Less: operators.Greater, operators.LessEquals: operators.GreaterEquals,
	operators.Greater: operators.Less, operators.GreaterEquals: operators.LessEquals,
}

// pathAndLiteral takes a path and a literal in either order.
func pathAndLiteral(a, b ast.Expr) (path, lit, bool) {
	if l, ok := literalOf(b); ok {
		p, pok := pathOf(a)
		return p, l, pok
	}
	if l, ok := literalOf(a); ok {
		p, pok := pathOf(b)
		return p, l, pok
	}
	return path{}, lit{}, false
}

// inNode compiles "ctx.x in [lit, ...]" and "lit in ctx.x".
func inNode(elem, coll ast.Expr) (node, bool) {
	if p, ok := pathOf(elem); ok && coll.Kind() == ast.ListKind {
		list := coll.AsList()
		if len(list.OptionalIndices()) > 0 {
			return nil, false
		}
		n := &inListNode{p: p}
		for _, e := range list.Elements() {
			l, ok := literalOf(e)
			if !ok {
				return nil, false
			}
			n.list = append(n.list, l)
		}
		return n, true
	}
	l, lok := literalOf(elem)
	p, pok := pathOf(coll)
	return &containsNode{p: p, l: l}, lok && pok
}

// methodNode compiles ctx.x.startsWith("s"), endsWith and contains.
func methodNode(call ast.CallExpr) (node, bool) {
	args := call.Args()
	if len(args) != 1 {
		return nil, false
	}
	fn, ok := stringMethods[call.FunctionName()]
	if !ok {
		return nil, false
	}
	l, lok := literalOf(args[0])
	p, pok := pathOf(call.Target())
	return &stringNode{p: p, arg: l.s, fn: fn}, lok && pok && l.kind == litString
}

// hasNode compiles has(ctx.x...): the field's presence in its parent map.
func hasNode(e ast.Expr) (node, bool) {
	sel := e.AsSelect()
	if sel.Operand().Kind() == ast.IdentKind && sel.Operand().AsIdent() == ctxVar {
		return &hasNode1{sel.FieldName()}, true
	}
	parent, ok := pathOf(sel.Operand())
	return &hasFieldNode{parent: parent, field: sel.FieldName()}, ok
}

// pathOf compiles ctx.a.b, ctx["a"]["b"] and mixes of the two.
func pathOf(e ast.Expr) (path, bool) {
	var fields []string
	for {
		switch {
		case e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly():
			fields = append(fields, e.AsSelect().FieldName())
			e = e.AsSelect().Operand()
			continue
		case e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.Index && len(e.AsCall().Args()) == 2:
			k, ok := literalOf(e.AsCall().Args()[1])
			if !ok || k.kind != litString {
				return path{}, false
			}
			fields = append(fields, k.s)
			e = e.AsCall().Args()[0]
			continue
		case e.Kind() == ast.IdentKind && e.AsIdent() == ctxVar && len(fields) > 0:
			for i, j := 0, len(fields)-1; i < j; i, j = i+1, j-1 {
				fields[i], fields[j] = fields[j], fields[i]
			}
			return path{first: fields[0], rest: fields[1:]}, true
		}
		return path{}, false
	}
}

// literalOf compiles a string, int, double, bool or null literal.
func literalOf(e ast.Expr) (lit, bool) {
	if e.Kind() != ast.LiteralKind {
		return lit{}, false
	}
	switch v := e.AsLiteral().(type) {
	case types.String:
		return lit{kind: litString, s: string(v)}, true
	case types.Int:
		return lit{kind: litInt, i: int64(v)}, true
	case types.Double:
		return lit{kind: litDouble, f: float64(v)}, true
	case types.Bool:
		return lit{kind: litBool, b: bool(v)}, true
	case types.Null:
		return lit{kind: litNull}, true
	}
	return lit{}, false
}
