package e2e

import (
	"strings"
	"testing"
	"time"
)

// autoscalePanel is the text of the service page's Autoscaling section.
const autoscalePanel = `document.getElementById("scale-h").closest("section").innerText`

// TestAutoscalePanelInBrowser: the service page of an autoscaled service
// in Chromium. Under load its Autoscaling panel follows the count live
// (ready against desired, bounds and target) and lists the last
// decision with its reason; once idle it says the service is scaled to
// zero, with the decision that did it on top.
func TestAutoscalePanelInBrowser(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t, t.TempDir())
	b := newBrowser(t, srv.url) // before the apply: idleAfter counts from it
	b.open(loginLink(t, srv))
	file := writeSpec(t, specDir(t), "slipway.yaml", scaledSpec("100ms", "{min: 0, max: 3, target: {concurrency: 2}, idleAfter: 10s}"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	srv.waitCount(10*time.Second, 1)
	b.open("/services/fn")
	b.waitJS(10*time.Second, "the Autoscaling panel", `document.getElementById("scale-h")`)
	if txt := b.eval(autoscalePanel); !strings.Contains(txt, "1 ready of 1 desired") || !strings.Contains(txt, "between 0 and 3 instances, target concurrency 2 per instance") {
		t.Fatalf("panel before the load:\n%s", txt)
	}
	b.eval(`window.notReloaded = "yes"`)

	stop := srv.load(6) // 6 in flight against 2 an instance: 3 instances
	srv.waitCount(60*time.Second, 3)
	b.waitJS(30*time.Second, "the panel at 3 of 3 with the decision that scaled up",
		autoscalePanel+`.includes("3 ready of 3 desired") && document.querySelector("table.stack tbody tr td[data-label=Why]").innerText.includes("over target 2")`)
	if r := stop(); r.Failed != 0 {
		t.Errorf("load while scaling: %s (%v)", r, r.Errors)
	}
	first := b.eval(`document.querySelector("table.stack tbody tr").innerText`)
	if !strings.Contains(first, "→ 3") || !strings.Contains(first, "concurrency") {
		t.Errorf("newest decision %q, want a rise to 3 on concurrency", first)
	}
	if b.eval("window.notReloaded") != "yes" {
		t.Error("the panel changed by a reload, not live")
	}
	b.screenshot("autoscale-scaled-up")

	srv.waitCount(60*time.Second, 0)
	b.waitJS(30*time.Second, "the panel saying scaled to zero",
		autoscalePanel+`.includes("Scaled to zero: the next request starts an instance")`)
	newest := b.eval(`document.querySelector("table.stack tbody tr td[data-label=Why]").innerText`)
	if !strings.Contains(newest, "no request for 10s: scaled to zero") {
		t.Errorf("newest decision %q, want the idle one", newest)
	}
	if row := b.eval(`document.querySelector("table.stack tbody tr td[data-label=Instances]").innerText`); !strings.HasSuffix(strings.TrimSpace(row), "→ 0") {
		t.Errorf("newest decision's instances %q, want → 0", row)
	}
	b.screenshot("autoscale-zero")
}
