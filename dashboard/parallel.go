package dashboard

import (
	"fmt"
	"html/template"

	"github.com/slipway-dev/slipway/api"
)

// parallelView is a parallel run: the gate, the fields that differ
// beyond stable's own noise (signal) and those that are noise, with
// sample diffs.
type parallelView struct {
	Run           *api.ParallelRun
	State         status
	Rate, Max     string
	Chart         template.HTML
	Signal, Noise []fieldView
}

type fieldView struct {
	Route string
	api.MirrorField
	Rate, NoiseRate string
}

func newParallelView(p *api.ParallelRun) *parallelView {
	pv := &parallelView{Run: p, State: verdictStatus(p.Verdict), Max: percent(p.MaxMismatchRate)}
	if p.Outcome != "" {
		pv.State = status{p.Outcome, "idle"}
		if p.Outcome == "RolledBack" {
			pv.State.Class = "bad"
		}
	}
	if p.Report == nil {
		pv.Rate = "nothing compared yet"
		return pv
	}
	pv.Rate = percent(p.Report.MismatchRate)
	for _, r := range p.Report.Routes {
		for _, f := range r.Fields {
			fv := fieldView{Route: r.Route, MirrorField: f, Rate: percent(f.Rate), NoiseRate: percent(f.NoiseRate)}
			if f.Mismatch {
				pv.Signal = append(pv.Signal, fv)
			} else {
				pv.Noise = append(pv.Noise, fv)
			}
		}
	}
	return pv
}

// mismatchChart draws the mismatch rate the server recorded over time.
func mismatchChart(hs []api.HistoryPoint, max float64) template.HTML {
	var pts, gate []point
	for _, p := range hs {
		if p.Mismatch != nil {
			pts = append(pts, point{p.Time, 100 * *p.Mismatch})
			gate = append(gate, point{p.Time, 100 * max})
		}
	}
	top := 100 * max * 2
	for _, p := range pts {
		top = maxf(top, p.V)
	}
	return lineChart("mismatch rate over time (percent)", 480, 120, maxf(top, 1), "%", []string{"gate", "mismatch rate"}, gate, pts)
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func parallelWords(p *api.ParallelRun) string {
	switch p.Outcome {
	case "Promoted":
		return fmt.Sprintf("Revision %d answered like revision %d and was promoted. %s", p.Revision, p.Stable, p.Reason)
	case "RolledBack":
		return fmt.Sprintf("Revision %d answered differently from revision %d and was rolled back: %s", p.Revision, p.Stable, p.Reason)
	}
	return fmt.Sprintf("Revision %d gets %d%% of requests mirrored and compared with revision %d's answers: %s. %s",
		p.Revision, p.Percent, p.Stable, orWord(p.Verdict, "waiting"), p.VerdictReason)
}

func percent(f float64) string { return trimFloat(100*f) + "%" }
