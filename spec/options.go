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
	// CheckConfigExpr, when set, checks each config rule (a CEL
	// expression over config; package config's CheckExpr).
	CheckConfigExpr ExprChecker
	// Environment, when set, makes ParseWith return the app as that
	// environment runs it: its overrides merged into the services
	// (App.Environment names it). A spec without environments has one,
	// DefaultEnvironment. ValidateWith ignores it.
	Environment string
	// MaxInstancesPerService is the most instances a service may ask
	// for: 0 means DefaultMaxInstancesPerService, a negative value
	// checks nothing (a client that leaves the limit to the server).
	// The server sets its --max-instances-per-service.
	MaxInstancesPerService int
	// DataDir, when set, is the server's data folder: a volume may not
	// be inside it (the server sets it; a client does not know it).
	DataDir string
	// EventTypes, when set, are the event types a notification's
	// events: may name (the server sets store.EventTypes; the CLI, which
	// does not know them, checks only their form).
	EventTypes []string
	// Applying says the spec is being validated or applied now, not read
	// back from the store: it gets the refusals added after earlier
	// releases stored specs that had what they refuse (a wildcard host
	// under ACME without DNS-01, which the edge only logged). A stored
	// spec, accepted when it was applied, is spared them so that it
	// always opens.
	Applying bool
}

// DefaultMaxInstancesPerService is the per-service instance limit of a
// server started without --max-instances-per-service. A spec asking for
// a million instances had a server create rows and folders until it ran
// out of memory.
const DefaultMaxInstancesPerService = 100

// instanceLimit is the per-service limit opts ask for; 0 for none.
func (o Options) instanceLimit() int {
	switch {
	case o.MaxInstancesPerService < 0:
		return 0
	case o.MaxInstancesPerService == 0:
		return DefaultMaxInstancesPerService
	}
	return o.MaxInstancesPerService
}

// ParseWith is Parse with options. Whatever opts.Environment is, it
// checks every environment's services with that environment's
// overrides merged in, so a spec valid for one environment is valid for
// all; a problem in an override is reported at the override's line and
// path (environments.prod.overrides.services.invoice.instances).
func ParseWith(file string, data []byte, opts Options) (*App, error) {
	root, prob := parseYAML(file, data)
	if prob != nil {
		return nil, (Problems{*prob}).err()
	}
	expandTestsShorthand(root)
	d := newDecoder(file)
	d.index.set("", root)
	app := &App{file: file, index: d.index}
	d.value(root, reflect.ValueOf(app).Elem(), "")
	app.linkEnvironments()
	v := newValidator(app)
	v.opts = opts
	v.skip, v.probs = d.failed, d.probs
	v.validate()
	app = v.resolveEnvironments(root, opts.Environment, d.budget)
	if err := v.probs.err(); err != nil {
		return nil, err
	}
	app.ApplyDefaults()
	app.applyParseDefaults()
	return app, nil
}

// ValidateWith is Validate with options.
func (a *App) ValidateWith(opts Options) error {
	v := newValidator(a)
	v.opts = opts
	v.validate()
	return v.probs.err()
}
