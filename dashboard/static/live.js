// Slipway dashboard: live fragments over server-sent events, and buttons
// that confirm, then call the API with JSON. No framework, nothing fetched
// from elsewhere.
(function () {
  "use strict";
  var status = function (text, bad) {
    var el = document.getElementById("status");
    if (!el) return;
    el.textContent = text;
    el.className = "status-line" + (bad ? " bad" : " ok");
  };

  // relogin says the live view stopped, with a link that logs in again
  // and comes back to this page, which then shows the rollout as it
  // stands (a restarted server keeps no sessions).
  var relogin = function () {
    var el = document.getElementById("status");
    if (!el) return;
    el.textContent = "The live view stopped: the server restarted or your session ended. ";
    var a = document.createElement("a");
    a.id = "relogin";
    a.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    a.textContent = "Log in again";
    el.appendChild(a);
    el.appendChild(document.createTextNode(" (with a token, or a new link from `slipway dashboard`) and this page shows the rollout as it stands."));
    el.className = "status-line bad";
  };

  // A redrawn fragment replaces the button a keyboard user is on: find
  // the same button (its label and action) in the new fragment and put
  // the focus back, or the next Tab starts from the top of the page.
  var focusKey = function (el) {
    var a = document.activeElement;
    if (!a || a === document.body || !el.contains(a)) return null;
    return { tag: a.tagName, text: a.textContent, url: a.getAttribute("data-url"), href: a.getAttribute("href") };
  };
  var refocus = function (el, key) {
    if (!key) return;
    var same = [].find.call(el.querySelectorAll(key.tag), function (c) {
      return c.textContent === key.text && c.getAttribute("data-url") === key.url && c.getAttribute("href") === key.href;
    });
    if (same) same.focus({ preventScroll: true });
  };

  // Live fragments: the server sends the whole fragment when it changes;
  // EventSource reconnects by itself and the server sends the current
  // fragment first, so a lost stream catches up.
  document.querySelectorAll("[data-live]").forEach(function (el) {
    var state = document.getElementById("live-state");
    var es = new EventSource(el.getAttribute("data-live"));
    es.addEventListener("fragment", function (ev) {
      var focus = focusKey(el);
      el.innerHTML = ev.data;
      refocus(el, focus);
      if (state) state.textContent = "live";
      el.setAttribute("data-live-updates", String(Number(el.getAttribute("data-live-updates") || "0") + 1));
    });
    es.addEventListener("expired", function () {
      es.close();
      if (state) state.textContent = "stopped";
      relogin();
    });
    es.onerror = function () {
      // EventSource retries by itself after a network error; it gives up
      // (CLOSED) when the server answers with an error, as it does once
      // the session is gone (a restarted server keeps no sessions).
      if (es.readyState === EventSource.CLOSED) {
        if (state) state.textContent = "stopped";
        relogin();
      } else if (state) {
        state.textContent = "reconnecting…";
      }
    };
  });

  // Countdowns (a flag release step's bake): the server drew the time
  // left when it rendered the page; count it down from there.
  var countdown = function () {
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.getAttribute("data-until")) - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), sec = left % 60;
      el.textContent = (h ? h + "h" : "") + (h || m ? m + "m" : "") + sec + "s";
    });
  };
  if (document.querySelector("[data-until]")) setInterval(countdown, 1000);

  var dialog = document.getElementById("confirm");
  var pending = null;
  if (dialog) {
    dialog.addEventListener("close", function () {
      var b = pending;
      pending = null;
      if (b && dialog.returnValue === "ok") act(b);
    });
  }

  // Buttons with data-url: confirm, then POST their JSON body.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-url]");
    if (!b) return;
    ev.preventDefault();
    pending = b;
    document.getElementById("confirm-text").textContent = b.getAttribute("data-confirm") || "Are you sure?";
    dialog.returnValue = "";
    dialog.showModal();
    document.getElementById("confirm-cancel").focus();
  });

  function act(b) {
    status(b.textContent + "…", false);
    fetch(b.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: b.getAttribute("data-body") || "{}"
    }).then(function (resp) {
      return resp.text().then(function (text) {
        if (resp.ok) {
          status(b.textContent + ": done.", false);
          if (!document.querySelector("[data-live]")) setTimeout(function () { location.reload(); }, 600);
          return;
        }
        var msg = text;
        try { msg = JSON.parse(text).error.message; } catch (e) { /* not JSON */ }
        // A conflict's message says what stands in the way (the rollout
        // moved since the page showed it, an operation still running).
        var why = resp.status === 409 ? "Not done: " : resp.status === 403 ? "Refused: " : "Failed: ";
        status(why + msg, true);
      });
    }).catch(function (e) { status("Failed: " + e, true); });
  }
})();
