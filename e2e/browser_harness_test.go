package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumHint is how to get the browser the dashboard's tests drive.
const chromiumHint = "the dashboard's browser tests need Chromium: apt-get install -y chromium"

// chromiumPath finds Debian's Chromium. Without it the test is skipped
// with the install hint, or fails under CI (SLIPWAY_CI=1), where a skip
// would hide untested code.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("SLIPWAY_CI") == "1" {
		t.Fatal(chromiumHint)
	}
	t.Skip(chromiumHint)
	return ""
}

// browser is one headless Chromium with a profile of its own (its own
// cookies), driven over the DevTools protocol.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // the dashboard's URL, http://127.0.0.1:PORT
	// shots is where screenshots go: $SLIPWAY_SCREENSHOTS, or the test's
	// artifact folder (go test -artifacts keeps it).
	shots string
}

// newBrowser starts Chromium with the flags that work on this machine.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("start chromium: %v", err)
	}
	shots := os.Getenv("SLIPWAY_SCREENSHOTS")
	if shots == "" {
		shots = t.ArtifactDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, base: base, shots: shots}
}

// do runs steps with a bound on how long they may take.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to path (or a full URL) and waits for the page's h1.
func (b *browser) open(path string) {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	b.do("open "+path, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("body")))
}

// eval evaluates a JavaScript expression and returns its value as text.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string]("String("+expr+")"))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until expr is true in the page.
func (b *browser) waitJS(timeout time.Duration, what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	// A page between two documents (a form's navigation) has no body
	// for a moment: that is "not yet", not a failure.
	for b.eval("(() => { try { return !!("+expr+") } catch (e) { return false } })()") != "true" {
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %s for %s; the page shows:\n%s", timeout, what, b.eval("document.body.innerText"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// text is the page's visible text.
func (b *browser) text() string { return b.eval("document.body.innerText") }

// clickAction clicks the action button labelled label, then the
// confirmation's Confirm, as a person would.
func (b *browser) clickAction(label string) {
	b.t.Helper()
	sel := fmt.Sprintf(`[...document.querySelectorAll("button[data-url]")].find(e => e.textContent.trim() === %q)`, label)
	b.waitJS(10*time.Second, "a "+label+" button", sel)
	b.eval(`document.getElementById("status").textContent = ""`)
	// The live view redraws its fragment when the store commits, so the
	// button found may be replaced before the mouse reaches it; a person
	// would click the new one, and so does the test (a few times at most).
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(sel)))
		cancel()
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Could not find node") {
			b.t.Fatalf("click %s: %v", label, err)
		}
		b.waitJS(10*time.Second, "a "+label+" button", sel)
	}
	b.do("confirm "+label, chromedp.WaitVisible(chromedp.ID("confirm-ok")), chromedp.Click(chromedp.ID("confirm-ok")))
	b.waitJS(10*time.Second, "the answer to "+label, `document.getElementById("status").textContent.match(/done|Refused|Failed|Not done/)`)
}

// status is the page's status line (what the last action said).
func (b *browser) status() string { return b.eval(`document.getElementById("status").textContent`) }

// screenshot saves the page at desktop and at phone width.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	for _, size := range []struct {
		name  string
		w, h  int64
		phone bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		opts := []chromedp.EmulateViewportOption{}
		if size.phone {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h, opts...)); err != nil {
			b.t.Fatalf("viewport %s: %v", size.name, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		b.checkReadable(name, size.phone)
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(b.shots, name+"-"+size.name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("back to desktop", chromedp.EmulateViewport(1280, 900))
}

// readableJS lists what a page shows only in colour or shape: a status
// without words, a chart without a text alternative, a button without
// a label; at phone width also a page wider than the screen (tables
// scroll in their own box, the page does not).
const readableJS = `(() => {
	const bad = [];
	document.querySelectorAll(".st").forEach(e => { if (!e.textContent.trim()) bad.push("a status without words: " + e.outerHTML); });
	document.querySelectorAll("svg").forEach(e => { if (!(e.getAttribute("aria-label") || "").trim() && e.getAttribute("aria-hidden") !== "true") bad.push("a chart without a text alternative: " + e.outerHTML.slice(0, 120)); });
	document.querySelectorAll("button, a").forEach(e => { if (!e.textContent.trim() && !e.getAttribute("aria-label")) bad.push("a control without a label: " + e.outerHTML.slice(0, 120)); });
	if (PHONE && document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
		bad.push("the page is " + document.documentElement.scrollWidth + "px wide on a " + document.documentElement.clientWidth + "px screen: " +
			[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".scroll")).slice(0, 3).map(e => e.tagName + "." + e.className).join(", "));
	return bad.join("\n");
})()`

// checkReadable fails the test for what readableJS finds on the page.
func (b *browser) checkReadable(name string, phone bool) {
	b.t.Helper()
	if bad := b.eval(strings.Replace(readableJS, "PHONE", fmt.Sprint(phone), 1)); bad != "" {
		b.t.Errorf("page %s (phone %v) is not readable without colour or at its width:\n%s", name, phone, bad)
	}
}

// chromedpSubmit submits the login form as a person pressing Enter would.
func chromedpSubmit() chromedp.Action[chromedp.Void] {
	return chromedp.Submit(chromedp.ID("token"))
}
