package e2e

// The dashboard in a real browser (Debian's Chromium) against a real
// server running a real canary under load: the live view follows the
// canary without a reload, buttons change the store through the API, a
// forged cross-site POST and a viewer's click are refused, a stale page
// gets a conflict; every page is screenshotted at desktop and phone width.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

// dashboardSteps pause twice until promoted, so that the test decides
// when the canary moves.
const dashboardSteps = "[{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {}}]"

// loginLink asks for a one-time link over the Unix socket, as `slipway
// dashboard` does on the server's machine.
func loginLink(t *testing.T, s *server) string {
	t.Helper()
	sock, ok := client.SocketFor(s.data)
	if !ok {
		t.Fatalf("no socket for %s", s.data)
	}
	r := runCLI(t, 30*time.Second, "--server", "unix://"+sock, "dashboard", "--print")
	link := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(link, s.url+"/login?t=") {
		t.Fatalf("slipway dashboard --print: %s; want a link on %s", r, s.url)
	}
	return link
}

func TestDashboardInBrowser(t *testing.T) {
	chromiumPath(t)
	a := startCanaryApp(t, dashboardSteps, "1s")
	l := a.startLoad(loadLimit)
	defer l.stop()
	b := newBrowser(t, a.srv.url)

	b.open(loginLink(t, a.srv))
	if txt := b.text(); !strings.Contains(txt, "What needs me") || !strings.Contains(txt, "uid:") {
		t.Fatalf("after the one-time link: %q; want the home page, logged in as the local user", txt)
	}

	// The live view follows the canary without a reload.
	b.open("/services/shop")
	b.eval(`window.notReloaded = "yes"`)
	a.srv.mustCLI("apply", "-f", a.writeCanary("v2", "", dashboardSteps, "1s"))
	b.waitJS(60*time.Second, "the live view to show the pause step as current",
		`document.querySelector(".steps li.current") && document.querySelector(".steps li.current").textContent.includes("pause until promoted")`)
	if b.eval("window.notReloaded") != "yes" || b.eval(`document.getElementById("live").dataset.liveUpdates > 1`) != "true" {
		t.Errorf("the live view changed by a reload, not by its event stream")
	}
	if txt := b.text(); !strings.Contains(txt, "Revision 2 is paused at step 2 of 4") || !strings.Contains(txt, "canary") {
		t.Errorf("live view: %q; want the verdict in words and the canary's row", txt)
	}
	// The latency comparison is judged sequentially (the default): its
	// ratio and interval against what is allowed.
	b.waitJS(30*time.Second, "the sequential comparison's ratio and interval", `[...document.querySelectorAll(".cmp")].some(e => e.innerText.includes("Ratio") && e.querySelector("svg circle"))`)
	b.screenshot("rollout")

	// Home pins the paused canary on top, with its buttons.
	b.open("/")
	if txt := b.text(); !strings.Contains(txt, "canary r2 paused at step 2 of 4") {
		t.Errorf("home: %q; want the paused canary pinned on top", txt)
	}
	b.screenshot("home")

	forgedPostRefused(t, a, b)

	// Promote from the live view moves the canary to its next pause.
	b.open("/services/shop")
	b.clickAction("Promote")
	waitFor(t, 30*time.Second, "the canary at its second pause", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Step == 3 && c.Weight == 50, fmt.Sprintf("%+v", c)
	})

	stalePageGetsConflict(t, b, a)
	viewerClickRefused(t, a)

	// Abort rolls the canary back.
	b.open("/services/shop")
	b.waitJS(10*time.Second, "the live view at step 4", `document.body.innerText.includes("step 4 of 4")`)
	b.clickAction("Abort")
	waitFor(t, 60*time.Second, "the canary rolled back", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Outcome == "RolledBack", fmt.Sprintf("%+v", c)
	})
	b.waitJS(30*time.Second, "the live view to say it rolled back", `document.body.innerText.includes("was rolled back")`)
	b.screenshot("rollout-rolled-back")

	for _, p := range []struct{ name, path, want string }{
		{"revisions", "/services/shop/revisions", "What changed from r1 to r2"},
		{"pipeline", "/pipeline/shop", "shop"},
		{"timeline", "/timeline", "Timeline"},
		{"flags", "/flags", "Flags"},
		{"dora", "/dora", "Deployment frequency"},
		{"not-found", "/services/nope", "does not exist"},
	} {
		b.open(p.path)
		if txt := b.text(); !strings.Contains(txt, p.want) {
			t.Errorf("%s: %q; want %q", p.path, txt, p.want)
		}
		b.screenshot(p.name)
	}
	t.Logf("screenshots in %s", b.shots)
}

// forgedPostRefused opens a page of another origin that POSTs to the
// API with the browser's cookies (a form, and a fetch), and checks both
// are refused and nothing changed.
func forgedPostRefused(t *testing.T, a *zdApp, b *browser) {
	t.Helper()
	target := a.srv.url + "/v1/services/shop/rollout/abort"
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><h1>cats</h1><form id="f" method="post" action="%s" enctype="text/plain"><input name='{"reason":"' value='forged"}'></form>
<script>fetch(%q, {method: "POST", mode: "no-cors", credentials: "include", body: "{}"}).finally(() => document.getElementById("f").submit());</script>`, target, target)
	}))
	defer evil.Close()
	b.open(evil.URL)
	b.waitJS(15*time.Second, "the forged form's answer", `location.href.includes("/v1/services/shop/rollout/abort")`)
	if txt := b.text(); !strings.Contains(txt, "refused") && !strings.Contains(txt, "unauthorized") {
		t.Errorf("forged cross-site POST answered %q; want it refused", txt)
	}
	if c := a.srv.service("shop").Canary; c == nil || c.Outcome != "" {
		t.Fatalf("after a forged cross-site POST the canary is %+v; want it untouched", c)
	}
}

// stalePageGetsConflict: a button made from an older view (step 2) is
// refused with a message saying the rollout moved.
func stalePageGetsConflict(t *testing.T, b *browser, a *zdApp) {
	t.Helper()
	b.open("/services/shop")
	b.waitJS(10*time.Second, "the live view at step 4", `document.body.innerText.includes("step 4 of 4")`)
	b.eval(`(() => { const old = [...document.querySelectorAll("button[data-url]")].find(e => e.textContent.trim() === "Promote");
		const c = old.cloneNode(true); c.textContent = "Promote (stale)"; c.dataset.body = JSON.stringify({ifRevision: 2, ifStep: 1});
		document.querySelector("main").appendChild(c); })()`)
	b.clickAction("Promote (stale)")
	if st := b.status(); !strings.Contains(st, "moved") || !strings.Contains(st, "you saw step 2") {
		t.Errorf("stale promote said %q; want that the rollout moved", st)
	}
	if c := a.srv.service("shop").Canary; c == nil || c.Step != 3 {
		t.Errorf("after a stale promote the canary is %+v; want it still at step 4", c)
	}
}

// viewerClickRefused logs a viewer in with a token and checks that its
// click on Abort is refused and changes nothing.
func viewerClickRefused(t *testing.T, a *zdApp) {
	t.Helper()
	tok := strings.TrimSpace(a.srv.mustCLI("token", "create", "watcher", "--role", "viewer").stdout)
	v := newBrowser(t, a.srv.url)
	v.open("/services/shop")
	v.screenshot("login")
	v.eval(fmt.Sprintf(`document.getElementById("token").value = %q`, tok))
	v.do("log in", chromedpSubmit())
	v.waitJS(15*time.Second, "the viewer's page", `document.body.innerText.includes("token:watcher")`)
	v.clickAction("Abort")
	if st := v.status(); !strings.Contains(st, "Refused") || !strings.Contains(st, "viewer") {
		t.Errorf("viewer's abort said %q; want it refused for the role", st)
	}
	if c := a.srv.service("shop").Canary; c == nil || c.Outcome != "" {
		t.Fatalf("after a viewer's click the canary is %+v; want it untouched", c)
	}
}

// TestDashboardApprovalInBrowser: a promotion waiting for an approval is
// pinned on the home page; clicking Approve passes the gate.
func TestDashboardApprovalInBrowser(t *testing.T) {
	chromiumPath(t)
	p := newPipelineApp(t, strings.Replace(dashboardPipelineSpec, "\t", "  ", -1))
	p.applyAll("dev", "prod")
	p.push(p.binaryArtifact("v1"), "v1", pushedCommit{"aaaaaaa1", time.Now().Add(-time.Hour)})
	p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "dev", "--wait", "--timeout", "50s")
	p.srv.mustCLI("promote", "order", "--from", "dev", "--to", "prod")
	b := newBrowser(t, p.srv.url)
	b.open(loginLink(t, p.srv))
	b.waitJS(10*time.Second, "the approval pinned on top", `document.body.innerText.includes("waits for an approval to enter prod")`)
	if txt := b.text(); !strings.Contains(txt, "waiting for approval") {
		t.Errorf("home: %q; want prod's row to say it waits for an approval", txt)
	}
	b.screenshot("home-approval")

	// The pipeline's grid: v1 deployed in dev, waiting at prod's approval.
	b.open("/pipeline/order")
	if row := b.eval(gridRow("v1")); !strings.Contains(row, "deployed") || !strings.Contains(row, "waiting at approval") {
		t.Errorf("the grid's v1 row says %q; want deployed in dev, waiting at approval for prod", row)
	}
	b.screenshot("pipeline-waiting")
	b.eval(`window.beforeApproval = true`)
	b.clickAction("Approve")
	// A page with no live view reloads itself after an action: let it,
	// or its reload aborts the next navigation.
	b.waitJS(10*time.Second, "the page reloaded after the approval", `!window.beforeApproval && document.readyState === "complete"`)
	waitFor(t, 30*time.Second, "the approval gate passed", func() (bool, string) {
		var pl api.Pipeline
		if err := p.srv.getJSON("/v1/pipeline/order", &pl); err != nil {
			return false, err.Error()
		}
		for _, st := range pl.Stages {
			if st.Env == "prod" && st.Promotion != nil && len(st.Promotion.Gates) > 0 {
				g := st.Promotion.Gates[0]
				return g.Kind == "approval" && g.State == "Passed" && strings.HasPrefix(g.ApprovedBy, "uid:"), fmt.Sprintf("%+v", g)
			}
		}
		return false, fmt.Sprintf("%+v", pl.Stages)
	})
	waitFor(t, 60*time.Second, "v1 running in prod", func() (bool, string) {
		var pl api.Pipeline
		err := p.srv.getJSON("/v1/pipeline/order", &pl)
		return err == nil && len(pl.Stages) == 2 && pl.Stages[1].Version == "v1" && pl.Stages[1].Promotion.State == "Succeeded", fmt.Sprintf("%+v %v", pl.Stages, err)
	})
	b.open("/pipeline/order")
	if row := b.eval(gridRow("v1")); strings.Count(row, "deployed") != 2 || !strings.Contains(row, "deploy ") {
		t.Errorf("the grid's v1 row says %q; want it deployed in both environments, with how long its deploys took", row)
	}
	b.screenshot("pipeline-approved")

	// v2 waits for the same approval; Reject on the home page fails the
	// gate, with who rejected it and why, and v2 never enters prod.
	p.push(p.binaryArtifact("v2"), "v2", pushedCommit{"aaaaaaa2", time.Now().Add(-time.Minute)})
	p.srv.mustCLI("deploy", "order", "--version", "v2", "--env", "dev", "--wait", "--timeout", "50s")
	p.srv.mustCLI("promote", "order", "--from", "dev", "--to", "prod")
	b.open("/")
	b.waitJS(10*time.Second, "v2's approval pinned on top", `document.body.innerText.includes("version v2 from dev waits for an approval to enter prod")`)
	b.eval(`window.beforeReject = true`)
	b.clickAction("Reject")
	if st := b.status(); !strings.Contains(st, "done") {
		t.Fatalf("Reject said %q; want done", st)
	}
	b.waitJS(10*time.Second, "the page reloaded after the rejection", `!window.beforeReject && document.readyState === "complete"`)
	waitFor(t, 30*time.Second, "the approval gate failed", func() (bool, string) {
		var pl api.Pipeline
		if err := p.srv.getJSON("/v1/pipeline/order", &pl); err != nil {
			return false, err.Error()
		}
		for _, st := range pl.Stages {
			if st.Env == "prod" && st.Promotion != nil && st.Promotion.Version == "v2" && len(st.Promotion.Gates) > 0 {
				g := st.Promotion.Gates[0]
				return g.State == "Failed" && strings.Contains(g.Reason, "rejected by uid:") && strings.Contains(g.Reason, "rejected from the dashboard"), fmt.Sprintf("%+v", g)
			}
		}
		return false, fmt.Sprintf("%+v", pl.Stages)
	})
	if txt := b.text(); strings.Contains(txt, "version v2 from dev waits for an approval") {
		t.Errorf("home after the rejection still pins v2: %q", txt)
	}
	if st := p.stage("prod"); st.Version != "v1" {
		t.Errorf("prod runs %q after v2 was rejected; want v1", st.Version)
	}
	b.screenshot("home-rejected")
}

// gridRow is the JavaScript for the text of version's row of the
// pipeline page's versions x environments grid.
func gridRow(version string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("table.grid tbody tr")].find(r => r.querySelector("th").textContent.startsWith(%q)).innerText`, version)
}

const dashboardPipelineSpec = `app: shop
services:
	order:
		run: ["./bin/order", "--port", "${PORT}"]
		artifact: {path: ./bin/order}
		env: {VERSION: pipeline}
		instances: 1
		health:
			readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
		route: {path: /}
		stopGrace: 2s
environments:
	dev: {}
	prod:
		from: dev
		gates:
			- approval: {}
`
