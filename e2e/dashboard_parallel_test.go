package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestDashboardParallelRunInBrowser: the live view of a parallel run
// whose candidate fails 20% of requests shows, without a reload, the
// mismatch rate over time, the fields that differ (signal) with sample
// diffs apart from those stable differs on by itself (noise), and then
// the rollback in words.
func TestDashboardParallelRunInBrowser(t *testing.T) {
	chromiumPath(t)
	const strategy = `parallelRun: {duration: 15s, minRequests: 50, maxMismatchRate: 0.05, progressDeadline: 30s, compare: {ignoreJsonPaths: [$.version, $.revision]}}`
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.deploy(shopSpec("parallel", "VERSION: v1", strategy))
	l := a.startLoad(loadLimit)
	defer l.stop()
	b := newBrowser(t, a.srv.url)
	b.open(loginLink(t, a.srv))
	b.open("/services/shop")
	b.eval(`window.notReloaded = "yes"`)
	a.srv.mustCLI("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", shopSpec("parallel", `VERSION: v2, FAIL_RATE: "0.2"`, strategy)))

	b.waitJS(30*time.Second, "a signal field with a sample diff",
		`document.getElementById("pr-h") && document.querySelector("#live table .diff del") && document.querySelector("#live table .diff ins")`)
	const drawn = `[...document.querySelectorAll("#live figure")].some(f =>
		f.innerText.includes("Mismatch rate over time") && f.querySelector("polyline.s1, circle.s1fill"))`
	b.waitJS(30*time.Second, "the mismatch rate drawn over time", drawn)
	txt := b.eval(`document.querySelector("#live").innerText`)
	signal, noise, ok := strings.Cut(txt, "Fields that differ as much within stable (noise)")
	if !ok || !strings.Contains(signal, "status") || !strings.Contains(txt, "Mismatch rate") {
		t.Errorf("the parallel run says %q; want the status field as signal, and the mismatch rate", txt)
	}
	if strings.HasPrefix(strings.TrimSpace(noise), "None.") {
		t.Errorf("no noise fields: %q; want the instance name, which differs between any two instances", noise)
	}
	b.screenshot("parallel-run")
	if b.eval(drawn) != "true" {
		t.Errorf("the mismatch rate chart lost its points on a redraw")
	}

	b.waitJS(60*time.Second, "the run rolled back, in words", `document.body.innerText.includes("answered differently from revision 1 and was rolled back")`)
	if b.eval("window.notReloaded") != "yes" {
		t.Errorf("the live view changed by a reload, not by its event stream")
	}
	b.screenshot("parallel-run-rolled-back")
}
