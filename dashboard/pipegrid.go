package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// gridRow is one version of a service across its environments.
type gridRow struct {
	Version string
	Pushed  time.Time
	Cells   []gridCell
}

// gridCell is where one version stands in one environment.
type gridCell struct {
	State status
	// Detail says more: the revision, the gate and its countdown, why it
	// failed; Took how long its gates and its deploy took.
	Detail, Took string
	// Output is a test gate's output, when it has some.
	Output string
}

// pipelineGrid lays a pipeline out as versions (newest first) x
// environments (in promotion order): what each version did, or does
// now, in each environment.
func pipelineGrid(pl api.Pipeline, now time.Time) []gridRow {
	steps := map[[2]string]api.FlowStep{} // the latest per (version, env)
	for _, f := range pl.Flow {
		for _, st := range f.Steps {
			steps[[2]string{f.Version, st.Env}] = st
		}
	}
	var rows []gridRow
	seen := map[string]bool{}
	add := func(version string, pushed time.Time) {
		if seen[version] {
			return
		}
		seen[version] = true
		row := gridRow{Version: version, Pushed: pushed}
		for _, stage := range pl.Stages {
			st, ok := steps[[2]string{version, stage.Env}]
			row.Cells = append(row.Cells, gridCellOf(version, stage, st, ok, now))
		}
		rows = append(rows, row)
	}
	for i := len(pl.Versions) - 1; i >= 0; i-- { // pushed order: newest last
		add(pl.Versions[i].Version, pl.Versions[i].PushedAt)
	}
	for i := len(pl.Flow) - 1; i >= 0; i-- { // deployed without a push record
		add(pl.Flow[i].Version, time.Time{})
	}
	return rows
}

// gridCellOf says where version stands in stage's environment: running
// there, on its way in (at a gate, deploying), failed, replaced since,
// or not yet.
func gridCellOf(version string, stage api.Stage, st api.FlowStep, stepped bool, now time.Time) gridCell {
	var c gridCell
	if stepped {
		c.Took = took(st)
	}
	if p := stage.Promotion; p != nil && p.Version == version && (p.State == "Waiting" || p.State == "Deploying") {
		return inFlight(c, p, now)
	}
	if stage.Version == version && stage.Revision != 0 {
		c.State = status{"deployed", "ok"}
		c.Detail = fmt.Sprintf("r%d, %s", stage.Revision, strings.ToLower(orWord(stage.Phase, "running")))
		return c
	}
	if !stepped {
		c.State = status{"not yet", "idle"}
		return c
	}
	switch st.State {
	case "Succeeded":
		c.State = status{"replaced", "idle"}
		c.Detail = "deployed " + st.Finished.Format("Jan 2 15:04") + ", replaced since"
	case "Failed":
		c.State = status{"failed", "bad"}
		if p := stage.Promotion; p != nil && p.Version == version {
			c.Detail = p.Reason
			c.Output = failedOutput(p)
		}
	case "Cancelled":
		c.State = status{"cancelled", "idle"}
	default:
		c.State = status{strings.ToLower(st.State), "busy"}
	}
	return c
}

// inFlight is a promotion on its way in: the gate it waits at (with a
// bake's countdown, a test's output), or its deploy.
func inFlight(c gridCell, p *api.Promotion, now time.Time) gridCell {
	if p.State == "Deploying" {
		c.State = status{"deploying", "busy"}
		c.Detail = fmt.Sprintf("since %s", now.Sub(p.DeployStartedAt).Round(time.Second))
		return c
	}
	for _, g := range p.Gates {
		if g.State == "Passed" {
			continue
		}
		c.State = status{"waiting at " + g.Kind, "wait"}
		detail := []string{}
		if g.Spec != "" && g.Spec != g.Kind {
			detail = append(detail, g.Spec)
		}
		if left := bakeLeft(g, now); left != "" {
			detail = append(detail, left)
		} else if g.Reason != "" {
			detail = append(detail, g.Reason)
		}
		c.Detail = strings.Join(detail, ": ")
		c.Output = g.Output
		return c
	}
	c.State = status{"waiting", "wait"}
	return c
}

// failedOutput is the output of the gate that failed, if it had any.
func failedOutput(p *api.Promotion) string {
	for _, g := range p.Gates {
		if g.State == "Failed" {
			return g.Output
		}
	}
	return ""
}

func took(st api.FlowStep) string {
	var parts []string
	if st.GatesSeconds > 0 {
		parts = append(parts, "gates "+duration(st.GatesSeconds))
	}
	if st.DeploySeconds > 0 {
		parts = append(parts, "deploy "+duration(st.DeploySeconds))
	}
	return strings.Join(parts, ", ")
}
