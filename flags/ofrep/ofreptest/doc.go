// Package ofreptest checks an OFREP server with a real client, not ours:
// the OpenFeature Go SDK (github.com/open-feature/go-sdk) with its OFREP
// provider (github.com/open-feature/go-sdk-contrib/providers/ofrep v0.1.7).
// Run is the interop suite: flags/ofrep runs it against its handler over
// Fixture (a Canned evaluator) and over the real engine compiled from
// FlagsYAML; the e2e tests run it against the real server serving
// FlagsYAML, skipping EngineSkips.
//
// A target must serve these flags (Fixture serves them all):
//
//	bool-flag    boolean  true, variant on, STATIC; metadata class=release, owner=payments-team
//	string-flag  string   "hello", variant greeting, STATIC
//	int-flag     integer  42, variant answer, STATIC
//	float-flag   float    3.25, variant pi-ish, STATIC
//	object-flag  object   {"color":"red","size":3}, variant red, STATIC
//	targeted     boolean  on (true) if ctx.country == "NL" (TARGETING_MATCH), else off (false, DEFAULT)
//	split        string   50% blue, 50% green by targeting key (SPLIT), user-2 in blue;
//	             TARGETING_KEY_MISSING without a targeting key
//	disabled     boolean  disabled, default variant off (false)
//	parse-error, invalid-context, general-error, type-mismatch
//	             evaluation errors with those codes: an engine that cannot
//	             produce them names the cases in Target.Skip
//
// and no flag named no-such-flag.
package ofreptest
