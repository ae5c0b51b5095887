package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestPlanWarnsAboutRoot(t *testing.T) {
	a := newTestAPI(t, "")
	resp, body := a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec + "    user: root\n"})
	var p api.Plan
	if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("plan: %d %s", resp.StatusCode, body)
	}
	if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.HasPrefix(w, "services.order.user: root: ") }) {
		t.Fatalf("plan warnings %q, want one about order running as root", p.Warnings)
	}
}

func TestBadUserIsReportedAtItsLine(t *testing.T) {
	a := newTestAPI(t, "")
	spec := goodSpec + "    user: \"Bad User\"\n"
	line := strings.Count(spec, "\n")
	resp, body := a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: spec})
	var got struct {
		Error struct {
			Problems []struct {
				File, Path, Message string
				Line                int
			}
		}
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 422 || len(got.Error.Problems) != 1 {
		t.Fatalf("plan of a bad user: %d %s, want 422 with one problem", resp.StatusCode, body)
	}
	pr := got.Error.Problems[0]
	if pr.File != "slipway.yaml" || pr.Line != line || pr.Path != "services.order.user" || !strings.HasPrefix(pr.Message, `invalid user name "Bad User"`) {
		t.Fatalf("problem %+v, want slipway.yaml:%d services.order.user: invalid user name", pr, line)
	}
}
