// Package spec is the app spec (slipway.yaml): its types, parsing with line
// numbers, defaults, validation that reports every problem at once, and the
// field-level diff that `slipway plan` shows. It does no I/O beyond reading
// artifact files named by a spec, and is pure otherwise.
//
// Parse decodes the YAML into a node tree and walks it against the struct
// tags of App, recording the position of every field, so that each Problem
// names file, line and dotted path:
//
//	slipway.yaml:14: services.invoice.strategy.rolling.maxSurge: must be >= 0, got -1
//
// It then validates (Validate), and applies defaults (ApplyDefaults) so
// that every field holds its effective value. The YAML may use anchors,
// aliases and merge keys (<<: *base); keys starting with "x-" are ignored,
// as in Compose files, to give anchors a home.
//
// A canary strategy's metric conditions are expressions; spec only checks
// that they are written. ParseWith and ValidateWith take Options whose
// CheckExpr compiles them (the server plugs in CEL), so that spec has no
// expression language of its own.
//
// Feature flags (Flag, Segment: flags.go) are validated here, every
// problem at once like the rest, and evaluated by package flags. Their
// conditions are CEL over ctx, checked by Options.CheckFlagExpr (the
// server plugs in flags.CheckExpr); ValidateFlags checks flags that come
// from the store or the API rather than from a file. DiffFlags and
// DiffSegments compare them the way Diff compares services.
//
// Environments (environments.go) are the targets a version is promoted
// through, each with gates and overrides. ParseWith with
// Options.Environment returns the services as one environment runs them:
// its overrides deep-merged into the YAML before decoding, so a bad
// override is reported at its own line. Every environment is checked
// whichever one is asked for.
//
// Arguments in run and exec expand ${VAR} from the instance's environment
// (Expand): only the braced form, with $$ for a literal dollar.
//
// Diff, Equal and ChangeSet compare services by their flattened effective
// settings (run[0], env.GREETING, health.readiness.interval); TopoOrder
// sorts services so that dependencies come first.
package spec
