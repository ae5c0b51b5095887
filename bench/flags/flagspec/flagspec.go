// Package flagspec writes the flag definitions the flags benchmark
// applies to a server and compiles in-process, once, so that both see the
// same flags: the benchmark flag, and many flags of a few shapes,
// as lines of a slipway.yaml.
package flagspec

import (
	"fmt"
	"strings"
)

// BenchKey is the flag every single-flag measurement evaluates.
const BenchKey = "new-checkout"

// benchFlag is flags/bench_test.go's benchSpec flag, on one line: two
// CEL rules and a percentage split (flagd publishes 7-11 µs for it).
const benchFlag = `  ` + BenchKey + `: {class: release, type: boolean, variants: {on: true, off: false}, default: off, ` +
	`rules: [{if: 'ctx.country == "NL" && ctx.plan in ["pro", "team"]', serve: on}, {if: 'ctx.email.endsWith("@shop.example")', serve: on}], ` +
	`rollout: {on: 25, off: 75}}` + "\n"

// Shape is the definition each of many flags gets.
type Shape int

const (
	// Bench is the benchmark flag's shape, each flag with conditions of
	// its own (nothing is shared by deduplication), as flags/bench_test.go's
	// manyFlags: about 230 bytes of YAML a flag.
	Bench Shape = iota
	// OneRule is one CEL rule of its own and no split: about 100 bytes a
	// flag, the richest shape of which 10,000 fit in one slipway.yaml
	// (spec.MaxSize, 1 MiB).
	OneRule
)

// String names the shape for the table.
func (s Shape) String() string {
	switch s {
	case Bench:
		return "2 CEL rules + split"
	case OneRule:
		return "1 CEL rule"
	default:
		return fmt.Sprintf("Shape(%d)", int(s))
	}
}

// Key is the key of the i-th of many flags of shape s: b0000, b0001, ...
// for Bench, r0000, ... for OneRule, so that an apply of one shape
// replaces every flag of the other.
func (s Shape) Key(i int) string {
	if s == Bench {
		return fmt.Sprintf("b%04d", i)
	}
	return fmt.Sprintf("r%04d", i)
}

// Lines are the slipway.yaml lines (under flags:) of n flags of shape s,
// keyed s.Key(0) to s.Key(n-1); with bench, the benchmark flag comes
// first, and n counts it.
func Lines(s Shape, n int, bench bool) []string {
	var out []string
	if bench {
		out, n = append(out, benchFlag), n-1
	}
	for i := range n {
		out = append(out, line(s, i))
	}
	return out
}

func line(s Shape, i int) string {
	k := s.Key(i)
	switch s {
	case Bench:
		return fmt.Sprintf(`  %s: {class: release, type: boolean, default: off, rules: [{if: 'ctx.country == "NL%d" && ctx.plan in ["pro", "team"]', serve: on}, `+
			`{if: 'ctx.email.endsWith("@shop%d.example")', serve: on}], rollout: {on: 25, off: 75}}`+"\n", k, i, i)
	default:
		return fmt.Sprintf("  %s: {class: release, type: boolean, default: off, rules: [{if: 'ctx.n == %d', serve: on}]}\n", k, i)
	}
}

// App is a slipway.yaml: app bench, the services section as given
// (lines after "services:"), and the flag lines.
func App(services string, lines []string) string {
	var b strings.Builder
	b.WriteString("app: bench\nservices:\n")
	b.WriteString(services)
	if len(lines) > 0 {
		b.WriteString("flags:\n")
		for _, l := range lines {
			b.WriteString(l)
		}
	}
	return b.String()
}

// Chunks splits lines into slipway.yaml files of at most max bytes
// each, for a parser that refuses larger files (spec.MaxSize); every
// file has the services section.
func Chunks(services string, lines []string, max int) []string {
	var out []string
	var cur []string
	size := len(App(services, nil)) + len("flags:\n")
	for _, l := range lines {
		if len(cur) > 0 && size+len(l) > max {
			out = append(out, App(services, cur))
			cur, size = nil, len(App(services, nil))+len("flags:\n")
		}
		cur, size = append(cur, l), size+len(l)
	}
	if len(cur) > 0 {
		out = append(out, App(services, cur))
	}
	return out
}

// Context is the evaluation context of every measurement, as OFREP's
// JSON has it: flags/bench_test.go's benchCtx with targetingKey user. It
// matches neither rule of the benchmark flag, so both rules and the
// split run.
func Context(user string) map[string]any {
	return map[string]any{"targetingKey": user, "country": "DE", "plan": "pro", "email": "ann@example.com"}
}
