package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/spec"
)

// HotPath is what `evaluate` prints: testing.Benchmark of one flag's
// evaluation and of every flag's, as flags/bench_test.go's
// BenchmarkEvaluate and BenchmarkEvaluateAll measure them.
type HotPath struct {
	Flags       int     `json:"flags"`     // flags in the file
	NsPerOp     float64 `json:"ns_per_op"` // Set.Evaluate of the benchmark flag
	AllocsPerOp int64   `json:"allocs_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	AllNsPerOp  float64 `json:"all_ns_per_op"` // Set.EvaluateAll
	AllAllocs   int64   `json:"all_allocs_per_op"`
}

// evaluate compiles the spec file given with -f and benchmarks it.
func evaluate(args []string, stderr io.Writer) (HotPath, error) {
	fs := flag.NewFlagSet("flagsproc evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "the slipway.yaml to compile (it has the benchmark flag)")
	if err := fs.Parse(args); err != nil {
		return HotPath{}, err
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return HotPath{}, fmt.Errorf("read spec: %w", err)
	}
	app, err := spec.ParseWith(*file, data, spec.Options{CheckFlagExpr: flags.CheckExpr})
	if err != nil {
		return HotPath{}, err
	}
	set, err := flags.CompileApp(app, nil)
	if err != nil {
		return HotPath{}, fmt.Errorf("compile: %w", err)
	}
	c := benchContext()
	if r := set.Evaluate(flagspec.BenchKey, c); r.Reason != flags.ReasonSplit {
		return HotPath{}, fmt.Errorf("%s for the benchmark context: %+v, want reason SPLIT", flagspec.BenchKey, r)
	}
	testing.Init() // testing.Benchmark reads the test flags' defaults
	one := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			set.Evaluate(flagspec.BenchKey, c)
		}
	})
	all := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			set.EvaluateAll(c)
		}
	})
	return HotPath{Flags: len(app.Flags), NsPerOp: float64(one.T.Nanoseconds()) / float64(one.N),
		AllocsPerOp: one.AllocsPerOp(), BytesPerOp: one.AllocedBytesPerOp(),
		AllNsPerOp: float64(all.T.Nanoseconds()) / float64(all.N), AllAllocs: all.AllocsPerOp()}, nil
}

// benchContext is flagspec.Context as package flags takes it.
func benchContext() flags.Context {
	attrs := flagspec.Context("user-12345")
	key := attrs["targetingKey"].(string)
	delete(attrs, "targetingKey")
	return flags.Context{TargetingKey: key, Attributes: attrs}
}

// Compiled is what `compile` prints: flags.Compile of n flags of a shape.
type Compiled struct {
	Flags     int     `json:"flags"`
	Shape     string  `json:"shape"`
	Runs      int     `json:"runs"`
	MedianNs  int64   `json:"median_ns"`  // wall time of one Compile, median of Runs
	HeapBytes int64   `json:"heap_bytes"` // live heap the Set holds (HeapAlloc after GC, minus before)
	PerFlag   float64 `json:"heap_bytes_per_flag"`
}

// compile builds n flags of -shape (parsed from slipway.yaml text in
// files below spec.MaxSize, with the CEL check) and times flags.Compile
// of all of them at once.
func compile(args []string, stderr io.Writer) (Compiled, error) {
	fs := flag.NewFlagSet("flagsproc compile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10_000, "flags to compile")
	shape := fs.String("shape", "bench", "bench (2 CEL rules + split) or onerule")
	runs := fs.Int("runs", 3, "compilations to time")
	if err := fs.Parse(args); err != nil {
		return Compiled{}, err
	}
	s := flagspec.Bench
	if *shape == "onerule" {
		s = flagspec.OneRule
	}
	defs, err := parseMany(flagspec.Lines(s, *n, false))
	if err != nil {
		return Compiled{}, err
	}
	var times []time.Duration
	for range max(*runs, 1) {
		start := time.Now()
		if _, err := flags.Compile(defs, nil, nil); err != nil {
			return Compiled{}, fmt.Errorf("compile: %w", err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	heap, err := liveHeap(defs)
	out := Compiled{Flags: len(defs), Shape: s.String(), Runs: len(times), MedianNs: times[len(times)/2].Nanoseconds(),
		HeapBytes: heap, PerFlag: float64(heap) / float64(len(defs))}
	return out, err
}

// liveHeap is the heap a compiled Set of defs keeps alive, as
// flags/bench_test.go's BenchmarkCompile measures it.
func liveHeap(defs map[string]*spec.Flag) (int64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	set, err := flags.Compile(defs, nil, nil)
	if err != nil {
		return 0, fmt.Errorf("compile: %w", err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(set)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc), nil
}

// parseMany parses flag lines as the server would, in slipway.yaml files
// below spec.MaxSize, and returns all their flags.
func parseMany(lines []string) (map[string]*spec.Flag, error) {
	const services = "  web: {run: [./web]}\n"
	out := map[string]*spec.Flag{}
	for i, text := range flagspec.Chunks(services, lines, spec.MaxSize) {
		app, err := spec.ParseWith(fmt.Sprintf("part-%d.yaml", i), []byte(text), spec.Options{CheckFlagExpr: flags.CheckExpr})
		if err != nil {
			return nil, err
		}
		for k, f := range app.Flags {
			out[k] = f
		}
	}
	return out, nil
}
