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

  // Live fragments: the server sends the whole fragment when it changes;
  // EventSource reconnects by itself and the server sends the current
  // fragment first, so a lost stream catches up.
  document.querySelectorAll("[data-live]").forEach(function (el) {
    var state = document.getElementById("live-state");
    var es = new EventSource(el.getAttribute("data-live"));
    es.addEventListener("fragment", function (ev) {
      el.innerHTML = ev.data;
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
        var why = resp.status === 409 ? "The rollout moved since this page showed it: " :
                  resp.status === 403 ? "Refused: " : "Failed: ";
        status(why + msg, true);
      });
    }).catch(function (e) { status("Failed: " + e, true); });
  }
})();
