package e2e

// Every verb of the live view, clicked (or typed) in a real browser
// against a real canary under load: pause (with the keyboard alone),
// resume, promote fully, roll back to a revision, promote from the home
// page, abort and retry; the
// live view catching up after its connection is cut; a baseline
// comparison's two distributions; the flags page's bake countdown and
// its kill.

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// verbSteps wait twice for a person, so that the test decides when the
// canary moves.
const verbSteps = "[{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {}}]"

// verbSpec is the shop service as a canary judged by a Mann-Whitney
// comparison of p99 latency with baseline (the interval judge; the 0.2s
// floor as in canaryStrategy), and a flag released progressively with
// a bake long enough to watch its countdown.
func verbSpec(version string) string {
	strategy := `canary: {steps: ` + verbSteps + `, progressDeadline: 20s, analysis: {interval: 1s, metrics: [` +
		`{name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.99"}, ` +
		`{name: latency, provider: router, metric: latencyP99, compare: baseline, judge: interval, floor: 0.2, minSamples: 3}]}}`
	return shopSpec("verbs", "VERSION: "+version, strategy) + `flags:
  new-checkout:
    class: release
    type: boolean
    owner: team-pay
    default: off
    progressive:
      service: shop
      steps: [{percent: 30, bake: 30m}, {percent: 100}]
`
}

func TestDashboardEveryVerbInBrowser(t *testing.T) {
	chromiumPath(t)
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.srv.mustCLI("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", verbSpec("v1")), "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	l := a.startLoad(loadLimit)
	defer l.stop()
	p := newCutProxy(t, strings.TrimPrefix(a.srv.url, "http://"))
	b := newBrowser(t, p.url())
	b.open(strings.Replace(loginLink(t, a.srv), a.srv.url, p.url(), 1))

	b.open("/services/shop")
	b.eval(`window.notReloaded = "yes"`)
	a.srv.mustCLI("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", verbSpec("v2")))
	b.waitJS(60*time.Second, "the canary at its first pause", `document.body.innerText.includes("paused at step 2 of 4")`)

	// The comparison with baseline: U, p, effect and both distributions.
	b.waitJS(60*time.Second, "a comparison's two distributions", `document.querySelector(".cmp table.spreads") && document.querySelector(".cmp svg.compare")`)
	if txt := b.eval(`document.querySelector(".cmp").innerText`); !strings.Contains(txt, "Mann-Whitney U = ") || !strings.Contains(txt, "effect") ||
		!strings.Contains(txt, "baseline") || !strings.Contains(txt, "canary") {
		t.Errorf("the comparison says %q; want U, p, effect and both sides' quantiles", txt)
	}
	if n := b.eval(`document.querySelectorAll("svg.ticks g title").length`); n == "0" {
		t.Errorf("no measurement ticks with their reasons")
	}
	b.screenshot("rollout-comparison")

	// Pause with the keyboard alone: Tab to the button, Enter, Tab from
	// Cancel to Confirm, Enter.
	b.tabTo("Pause")
	// A redraw of the live view (every 5s at least, as traffic is
	// recorded) keeps the focus on the button.
	n := b.eval(`document.getElementById("live").dataset.liveUpdates`)
	b.waitJS(15*time.Second, "the live view redrawn", fmt.Sprintf(`document.getElementById("live").dataset.liveUpdates !== %q`, n))
	if f := b.eval(`document.activeElement.textContent.trim()`); f != "Pause" {
		t.Fatalf("after a redraw the focus is on %q; want it kept on Pause", f)
	}
	b.do("press Enter on Pause", chromedp.KeyEvent(kb.Enter))
	b.waitJS(5*time.Second, "the confirmation, focused on Cancel", `document.getElementById("confirm").open && document.activeElement.id === "confirm-cancel"`)
	b.do("Tab to Confirm, Enter", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
	b.waitJS(10*time.Second, "the answer to Pause", `document.getElementById("status").textContent.includes("done")`)
	waitFor(t, 10*time.Second, "the canary paused", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Paused, fmt.Sprintf("%+v", c)
	})

	b.clickDone("Resume")
	waitFor(t, 10*time.Second, "the canary resumed", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && !c.Paused && c.Step == 1, fmt.Sprintf("%+v", c)
	})

	// A lost event stream reconnects and catches up: the connection is
	// cut, the canary moves meanwhile, and the page shows where it is.
	b.waitJS(10*time.Second, "the live view live", `document.getElementById("live-state").textContent === "live"`)
	p.down()
	b.waitJS(10*time.Second, "the live view to notice", `document.getElementById("live-state").textContent.startsWith("reconnecting")`)
	a.srv.mustCLI("rollout", "promote", "shop")
	waitFor(t, 30*time.Second, "the canary at its second pause", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Step == 3, fmt.Sprintf("%+v", c)
	})
	if strings.Contains(b.text(), "step 4 of 4") {
		t.Fatal("the page shows step 4 while its stream is down")
	}
	p.up()
	b.waitJS(30*time.Second, "the live view to catch up with the promote", `document.body.innerText.includes("paused at step 4 of 4")`)
	if b.eval("window.notReloaded") != "yes" {
		t.Errorf("the live view caught up by a reload, not by its event stream")
	}
	// The weight drawn over time: from 20% up to 50% (the server samples
	// every 5s).
	b.waitJS(20*time.Second, "the weight chart reaching 50%", `(() => {
		const f = [...document.querySelectorAll("#live figure")].find(f => f.innerText.includes("Canary weight over time"));
		const pl = f && f.querySelector("polyline.s0");
		if (!pl) return false;
		const ys = pl.getAttribute("points").trim().split(" ").map(p => Number(p.split(",")[1]));
		return ys.includes(84.4) && ys.includes(55); // 20% and 50% of the chart's 98px plot, 6px from its top
	})()`)

	b.clickDone("Promote fully")
	waitFor(t, 60*time.Second, "the canary promoted", func() (bool, string) {
		s := a.srv.service("shop")
		return s.Canary != nil && s.Canary.Outcome == "Promoted" && s.Stable == 2 && s.Phase == "Ready", describe(s)
	})
	b.waitJS(30*time.Second, "the live view to say it was promoted", `document.body.innerText.includes("Revision 2 was promoted")`)

	b.clickDone("Roll back to r1")
	waitFor(t, 60*time.Second, "revision 1 the target again", func() (bool, string) {
		s := a.srv.service("shop")
		return s.Revision == 1 && s.Phase == "Ready", describe(s)
	})
	a.waitServes("v1", 30*time.Second)

	// Abort, then Retry the aborted canary.
	a.srv.mustCLI("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", verbSpec("v3")))
	b.waitJS(60*time.Second, "the v3 canary at its first pause", `document.body.innerText.includes("paused at step 2 of 4")`)
	// The home page pins it with its buttons: Promote from there.
	b.open("/")
	b.waitJS(10*time.Second, "the canary pinned on top", `document.querySelector(".waiting") && document.querySelector(".waiting").innerText.includes("paused at step 2 of 4")`)
	b.eval(`window.beforePromote = true`)
	b.clickDone("Promote")
	waitFor(t, 30*time.Second, "the v3 canary at its second pause", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Revision == 3 && c.Step == 3, fmt.Sprintf("%+v", c)
	})
	// A page with no live view reloads itself after an action: let it.
	b.waitJS(10*time.Second, "the home page reloaded", `!window.beforePromote && document.readyState === "complete"`)
	b.open("/services/shop")
	b.waitJS(10*time.Second, "the live view at step 4", `document.body.innerText.includes("paused at step 4 of 4")`)
	b.clickDone("Abort")
	waitFor(t, 60*time.Second, "the canary rolled back", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Outcome == "RolledBack", fmt.Sprintf("%+v", c)
	})
	// The rollback that the abort started runs a moment longer: until it
	// ends, Retry says what it waits for, and a person clicks again.
	for b.clickAction("Retry"); !strings.Contains(b.status(), "done"); b.clickAction("Retry") {
		if st := b.status(); !strings.Contains(st, "Not done: operation") || !strings.Contains(st, "wait for it to finish") {
			t.Fatalf("Retry said %q; want done, or which operation it waits for", st)
		}
		time.Sleep(500 * time.Millisecond)
	}
	waitFor(t, 60*time.Second, "the canary retried", func() (bool, string) {
		c := a.srv.service("shop").Canary
		return c != nil && c.Outcome == "" && c.Revision >= 3, fmt.Sprintf("%+v", c)
	})
	b.screenshot("rollout-retried")

	flagsPage(t, a, b)

	b.open("/services/shop/revisions?a=1&b=99")
	if txt := b.text(); !strings.Contains(txt, "no revision 99") {
		t.Errorf("an unknown revision in the URL: %q; want the 404 page", txt)
	}
	b.screenshot("not-found-revision")
}

// flagsPage checks the flags page: the release's countdown counts down
// without a reload, and Kill (one click and a confirmation) kills.
func flagsPage(t *testing.T, a *zdApp, b *browser) {
	t.Helper()
	b.open("/flags")
	b.waitJS(10*time.Second, "the flag's bake countdown", `document.querySelector("[data-until]")`)
	before := b.eval(`document.querySelector("[data-until]").textContent`)
	b.waitJS(5*time.Second, "the countdown to count down", fmt.Sprintf(`document.querySelector("[data-until]").textContent !== %q`, before))
	if txt := b.text(); !strings.Contains(txt, "team-pay") || !strings.Contains(txt, "step 1 of 2: on at 30%") || !strings.Contains(txt, "left of a 30m0s bake") {
		t.Errorf("flags page: %q; want the owner and the release's step with its countdown", txt)
	}
	b.screenshot("flags-releasing")
	b.clickDone("Kill")
	waitFor(t, 10*time.Second, "the flag killed", func() (bool, string) {
		f := a.flag(t, "new-checkout")
		return f.Killed, describeFlag(f)
	})
	b.waitJS(10*time.Second, "the page to say killed", `document.body.innerText.includes("killed")`)
	b.screenshot("flags-killed")
}

// clickDone clicks an action, confirms, and fails the test unless the
// API did it.
func (b *browser) clickDone(label string) {
	b.t.Helper()
	b.clickAction(label)
	if st := b.status(); !strings.Contains(st, "done") {
		b.t.Fatalf("%s said %q; want done", label, st)
	}
}

// tabTo presses Tab until the focus is on the control labelled label,
// as a keyboard user does.
func (b *browser) tabTo(label string) {
	b.t.Helper()
	for range 80 {
		if b.eval(`document.activeElement ? document.activeElement.textContent.trim() : ""`) == label {
			return
		}
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	b.t.Fatalf("80 presses of Tab never reached %q", label)
}

// cutProxy is a TCP proxy in front of the server that the test takes
// down (open connections cut, new ones refused) and up again, as a
// flaky network would.
type cutProxy struct {
	ln net.Listener
	to string
	mu sync.Mutex
	// conns are the open connections, both sides; isDown refuses new
	// ones. Both guarded by mu.
	conns  []net.Conn
	isDown bool
}

func newCutProxy(t *testing.T, to string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, to: to}
	t.Cleanup(func() { ln.Close(); p.down() })
	go p.serve()
	return p
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.isDown
		p.mu.Unlock()
		if down {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", p.to)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }()
		go func() { io.Copy(in, out); in.Close() }()
	}
}

// down cuts every open connection and refuses new ones until up.
func (p *cutProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isDown = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isDown = false
}
