package spec

import "reflect"

// ExprChecker compiles an expression (a metric's successCondition, whose
// value is named result) and returns why it does not compile, or nil.
// spec has no expression language of its own: the server plugs one in.
type ExprChecker func(expr string) error

// Options change how a spec is checked. The zero value checks what spec
// can check by itself.
type Options struct {
	// CheckExpr, when set, checks each expression; its error is reported
	// at the expression's line. Unset, expressions need only be non-empty.
	CheckExpr ExprChecker
	// CheckFlagExpr, when set, checks each flag rule's and segment's
	// condition (a CEL expression over ctx; package flags' CheckExpr).
	// Unset, conditions need only be non-empty.
	CheckFlagExpr ExprChecker
}

// ParseWith is Parse with options.
func ParseWith(file string, data []byte, opts Options) (*App, error) {
	root, prob := parseYAML(file, data)
	if prob != nil {
		return nil, (Problems{*prob}).err()
	}
	d := newDecoder(file)
	d.index.set("", root)
	app := &App{file: file, index: d.index}
	d.value(root, reflect.ValueOf(app).Elem(), "")
	v := newValidator(app)
	v.opts = opts
	v.skip, v.probs = d.failed, d.probs
	v.validate()
	if err := v.probs.err(); err != nil {
		return nil, err
	}
	app.ApplyDefaults()
	return app, nil
}

// ValidateWith is Validate with options.
func (a *App) ValidateWith(opts Options) error {
	v := newValidator(a)
	v.opts = opts
	v.validate()
	return v.probs.err()
}
