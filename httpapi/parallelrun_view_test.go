package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/store"
)

// TestMirrorReportWireShapeKeepsEveryField catches the wire shape
// drifting from the stored report: every field must survive the trip.
func TestMirrorReportWireShapeKeepsEveryField(t *testing.T) {
	rep := mirror.Report{Compared: 10, Mismatched: 2, MismatchRate: 0.2, Dropped: 1, Routes: []mirror.RouteReport{{
		Route: "GET /orders/{id}", Compared: 10, Mismatched: 2, MismatchRate: 0.2, NoiseSamples: 9,
		Fields: []mirror.FieldReport{{Field: "$.total", Differences: 2, Rate: 0.2, Noise: 1, NoiseRate: 0.1, Mismatch: true,
			Samples: []mirror.Sample{{Method: "GET", Path: "/orders/1", Field: "$.total", Primary: "10", Candidate: "12"}}}},
	}}}
	v := parallelRunView(&store.ParallelRun{Revision: 2, Stable: 1, Report: &rep, Verdict: rep.Judge(0.01, 5)}, nil)
	want, _ := json.Marshal(rep)
	got, _ := json.Marshal(v.Report)
	if string(got) != string(want) {
		t.Fatalf("wire report\n%s\nwant\n%s", got, want)
	}
	if v.Verdict != "failed" || v.VerdictReason == "" {
		t.Fatalf("verdict %q %q", v.Verdict, v.VerdictReason)
	}
}
