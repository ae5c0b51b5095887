// Package spec is the app spec (slipway.yaml): its types, parsing with line
// numbers, defaults, validation that reports every problem at once, and the
// field-level diff that `slipway plan` shows. It does no I/O beyond reading
// artifact files named by a spec, and is pure otherwise.
package spec
