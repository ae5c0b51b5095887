// Package archtest checks the shape of the code base: which packages may
// import which. layers.go ranks every package of the module (its layer);
// the tests walk the module and fail on an import that does not go down,
// on a package missing from the table, and on a named extra rule broken.
// See docs/ARCHITECTURE.md#layers.
package archtest
