package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

func TestPipelineGrid(t *testing.T) {
	now := time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return now.Add(time.Duration(min) * time.Minute) }
	pl := api.Pipeline{
		Stages: []api.Stage{
			{Env: "dev", Version: "v3", Revision: 3, Phase: "Ready"},
			{Env: "staging", From: "dev", Gates: []string{"tests", "bake 10m"}, Version: "v2", Revision: 2, Phase: "Ready",
				Promotion: &api.Promotion{Version: "v3", To: "staging", State: "Waiting", Gates: []api.Gate{
					{Kind: "tests", State: "Passed"}, {Kind: "bake", Spec: "bake 10m", State: "Running", StartedAt: at(-4)}}}},
			{Env: "prod", From: "staging", Gates: []string{"approval"}, Version: "v1", Revision: 1, Phase: "Ready",
				Promotion: &api.Promotion{Version: "v2", To: "prod", State: "Failed", Reason: "tests failed: exit 1", Gates: []api.Gate{
					{Kind: "tests", State: "Failed", Output: "FAIL checkout\n"}}}},
		},
		Versions: []api.Version{{Version: "v1", PushedAt: at(-60)}, {Version: "v2", PushedAt: at(-40)}, {Version: "v3", PushedAt: at(-20)}},
		Flow: []api.VersionFlow{
			{Version: "v1", Steps: []api.FlowStep{{Env: "dev", State: "Succeeded", Finished: at(-58), DeploySeconds: 12},
				{Env: "staging", State: "Succeeded", GatesSeconds: 90, DeploySeconds: 20}, {Env: "prod", State: "Succeeded"}}},
			{Version: "v2", Steps: []api.FlowStep{{Env: "dev", State: "Succeeded", Finished: at(-38)}, {Env: "staging", State: "Succeeded"},
				{Env: "prod", State: "Failed", GatesSeconds: 30}}},
			{Version: "v3", Steps: []api.FlowStep{{Env: "dev", State: "Succeeded"}, {Env: "staging", State: "Waiting"}}},
		},
	}
	rows := pipelineGrid(pl, now)
	want := map[string][]string{ // version -> state words per environment
		"v3": {"deployed", "waiting at bake", "not yet"},
		"v2": {"replaced", "deployed", "failed"},
		"v1": {"replaced", "replaced", "deployed"},
	}
	if len(rows) != 3 || rows[0].Version != "v3" || rows[2].Version != "v1" {
		t.Fatalf("rows %+v; want v3, v2, v1", rows)
	}
	for _, r := range rows {
		for i, c := range r.Cells {
			if c.State.Text != want[r.Version][i] {
				t.Errorf("%s in %s: %q, want %q", r.Version, pl.Stages[i].Env, c.State.Text, want[r.Version][i])
			}
		}
	}
	if c := rows[0].Cells[1]; !strings.Contains(c.Detail, "6m0s left of 10m0s") {
		t.Errorf("the bake's countdown: %+v", c)
	}
	if c := rows[1].Cells[2]; c.Detail != "tests failed: exit 1" || c.Output != "FAIL checkout\n" || c.Took != "gates 30s" {
		t.Errorf("the failed promotion: %+v", c)
	}
	if c := rows[2].Cells[1]; c.Took != "gates 1m30s, deploy 20s" {
		t.Errorf("durations: %+v", c)
	}
}
