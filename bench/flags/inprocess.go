package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
)

// flagdPublished is flagd's own figure for an in-process evaluation of
// the benchmark flag's shape, as issue 5 quotes it.
const flagdPublished = "7-11 µs/op"

// measureInProcess runs the helper built from the measured source:
// Set.Evaluate of the benchmark flag and Set.EvaluateAll of the OFREP
// server's flags (compiled from the very slipway.yaml that server got),
// then flags.Compile of -many flags of each shape.
func (b *bench) measureInProcess(ctx context.Context) error {
	b.progressf("in-process: Evaluate and EvaluateAll ...")
	var hp hotPath
	err := flagsproc(ctx, b.ws.Path("flagsproc"), hotPathTimeout, &hp, "evaluate", "-f", filepath.Join(b.ws.Path("ofrep"), "slipway.yaml"))
	if err != nil {
		return err
	}
	b.t.add("in-process Set.Evaluate, 1 flag ("+flagspec.Bench.String()+")",
		fmt.Sprintf("%.0f ns/op  %d allocs/op", hp.NsPerOp, hp.AllocsPerOp),
		flagdPublished+" "+b.t.note("flagd's published figure for the same shape, as issue 5 quotes it: not measured here."))
	b.t.add(fmt.Sprintf("in-process Set.EvaluateAll, %d flags", hp.Flags),
		fmt.Sprintf("%s/op  %d allocs/op", us(time.Duration(hp.AllNsPerOp)), hp.AllAllocs), "")
	for _, shape := range []string{"bench", "onerule"} {
		b.progressf("in-process: flags.Compile of %d flags (%s) ...", b.cfg.many, shape)
		var c compiled
		err := flagsproc(ctx, b.ws.Path("flagsproc"), compileTimeout, &c, "compile", "-shape", shape, "-n", strconv.Itoa(b.cfg.many))
		if err != nil {
			return err
		}
		b.t.add(fmt.Sprintf("flags.Compile, %s flags (%s)", thousands(float64(c.Flags)), c.Shape),
			fmt.Sprintf("%s (median of %d)  heap %s = %.1f KiB/flag", ms(time.Duration(c.MedianNs)), c.Runs, mib(c.HeapBytes), c.PerFlag/1024), "")
	}
	return nil
}
