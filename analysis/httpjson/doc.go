// Package httpjson is the analysis.Provider for the "http" metric provider:
// it GETs a URL and reads one number out of the JSON answer.
//
// The number sits at a JSONPath (RFC 9535, e.g. $.data.errors,
// $.checks[0].value, $['error-rate']) that must select exactly one value;
// an empty path takes the whole body. A JSON number is taken as it is, true
// and false as 1 and 0, and a string holding a number as that number.
// Anything else (a missing field, null, an object) is an error that names
// the path and what was found there: a check that cannot be read is never
// a pass.
//
// An HTTP check yields one value, so it cannot compare a canary with its
// baseline: a comparison is an error wrapping analysis.ErrUnsupported.
package httpjson
