// Package mirror compares the answers to mirrored requests, for a
// parallel run: the candidate revision gets a copy of live requests
// while users only ever see the stable revision's answer, and the two
// answers are compared field by field.
//
// It is pure: no I/O, no clock, no goroutines. The router captures the
// answers and hands them over as an Exchange; a Tally counts them and
// its Report is what gates promotion.
//
// Diff compares two Responses: the status, chosen headers, and the body,
// JSON field by field (one Difference per differing leaf, named by a
// JSONPath like $.items[2].price) or as bytes when either side is not
// JSON. IgnoreJSONPaths leave out fields that are expected to differ
// ($.requestId, $.items[*].id).
//
// Noise is cancelled the way Twitter's Diffy does: each mirrored request
// is also sent to a second stable instance (the Secondary), so the Tally
// learns how often stable differs from itself, field by field. A field
// counts against the candidate only when the candidate differs from the
// primary clearly more often than stable differs from itself (see
// Mismatch): a timestamp or a random id that changes on every answer is
// noise, a changed price is not.
//
// The paths this package reads and writes are a small JSONPath subset:
//
//	$                 the whole body
//	.name  ['name']   a key (the bracket form takes any characters)
//	[2]               an array index
//	[*]  .*           any one index or key (in IgnoreJSONPaths)
//
// An ignored path leaves out everything below it too.
package mirror
