package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDashboardLiveViewAcrossRestart: a live view open while the server
// is killed and started again (same addresses, same data) says the
// stream stopped and how to log in again (a restarted server keeps no
// sessions); the canary moves meanwhile; after logging in again through
// the page's link the view shows the rollout as it stands, live. The
// traffic charts draw what the server recorded with no page open.
func TestDashboardLiveViewAcrossRestart(t *testing.T) {
	chromiumPath(t)
	a := startCanaryApp(t, dashboardSteps, "1s")
	l := a.startLoad(loadLimit)
	defer l.stop()
	a.srv.mustCLI("apply", "-f", a.writeCanary("v2", "", dashboardSteps, "1s"))
	waitFor(t, 60*time.Second, "the canary paused at step 2", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Step == 1, fmt.Sprintf("%+v", c)
	})
	b := newBrowser(t, a.srv.url)
	b.open(loginLink(t, a.srv) + "&next=/services/shop")
	b.waitJS(15*time.Second, "the live view, live", `document.getElementById("live-state").textContent === "live"`)
	b.waitJS(30*time.Second, "the candidate's requests in the recorded traffic",
		`document.body.innerText.includes("candidate r2") && [...document.querySelectorAll("table.revs tbody tr")].length === 2`)

	old := a.srv
	old.kill()
	b.waitJS(15*time.Second, "the page to say it reconnects", `document.getElementById("live-state").textContent.includes("reconnecting")`)
	a.srv = spawnServer(t, old.data, "--api", old.addr, "--router", old.router)
	a.srv.addr, a.srv.url = old.addr, old.url
	a.srv.waitHealthy(old.addr)
	b.waitJS(30*time.Second, "the page to say how to log in again",
		`document.getElementById("relogin") && document.getElementById("status").textContent.includes("server restarted")`)
	if href := b.eval(`document.getElementById("relogin").getAttribute("href")`); href != "/login?next=%2Fservices%2Fshop" {
		t.Errorf("the log-in-again link is %q; want it to come back to this page", href)
	}
	b.screenshot("rollout-stopped")

	a.srv.mustCLI("rollout", "promote", "shop") // the canary moves while the page cannot see
	waitFor(t, 30*time.Second, "the canary at its second pause", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Step == 3 && c.Weight == 50, fmt.Sprintf("%+v", c)
	})
	next := b.eval(`document.getElementById("relogin").getAttribute("href")`)
	b.open(loginLink(t, a.srv) + "&" + strings.TrimPrefix(next, "/login?"))
	b.waitJS(15*time.Second, "the live view, live again", `document.getElementById("live-state").textContent === "live"`)
	if txt := b.text(); !strings.Contains(txt, "Revision 2 is paused at step 4 of 4 with 50% of traffic") {
		t.Errorf("after logging in again: %q; want the canary as it stands (step 4, 50%%)", txt)
	}
	a.srv.mustCLI("rollout", "promote", "shop")
	b.waitJS(60*time.Second, "the live view to follow the promotion", `document.body.innerText.includes("was promoted")`)
	b.screenshot("rollout-after-restart")
}
