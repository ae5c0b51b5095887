// Package config is Slipway's dynamic configuration: values a service
// reads at run time, changed more often than its code, and able to take
// production down as surely as a bad binary (AWS AppConfig is the model).
//
// It checks a config's values before anything is stored (Checker: a
// JSON Schema, CEL rules over config, and an optional command run with a
// timeout), edits values (Assign: key.sub=value; ParseDocument: a JSON
// or YAML file), compares versions (Diff), and writes the file an
// instance reads (WriteFile: temp file, fsync, rename). Every problem is
// reported at once, with the JSON path of the value at fault.
package config
