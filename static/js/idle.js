// The sign-out warning: two minutes before the session would end on its own (server/sessions.py clock), say so and
// offer "Stay signed in" — a real POST (with the CSRF token) that the server honours up to the session's absolute
// limit. Every answer from the server says how long the session has left (X-Session-Ends-In), and tabs of the same
// browser share the latest figure through localStorage, so a save in one tab keeps the others from warning.
(function () {
  "use strict";
  var HEADER = "X-Session-Ends-In";
  var SHARED = "afterglow-session-ends-at";
  var GRACE = 1500;

  function setup(box) {
    var warnBefore = Number(box.getAttribute("data-warn-before")) * 1000;
    var absolute = box.getAttribute("data-absolute") === "yes";
    var deadline = Date.now() + Number(box.getAttribute("data-ends-in")) * 1000;
    var message = document.getElementById("idle-message");
    var stay = box.querySelector("form.idle-stay");
    var again = box.querySelector(".idle-again");
    var state = "quiet";  // quiet | warning | ended

    function at(time) {
      return new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }
    function show(next, text) {
      state = next;
      message.textContent = text;
      stay.hidden = next !== "warning" || absolute;
      again.hidden = next !== "ended";
      box.hidden = false;
      document.body.classList.add("idle-showing");
    }
    function hide() {
      state = "quiet";
      box.hidden = true;
      document.body.classList.remove("idle-showing");
    }
    function update(endsAt, share) {
      deadline = endsAt;
      if (share) {
        try { localStorage.setItem(SHARED, String(endsAt)); } catch (e) { /* private mode: this tab only */ }
      }
      tick();
    }
    function tick() {
      var left = deadline - Date.now();
      if (left <= -GRACE) {  // a moment past the server's own deadline, so the next request meets it ended
        if (state !== "ended") {
          var link = again.querySelector("a");
          link.href = box.getAttribute("data-login") + "?next=" +
            encodeURIComponent(location.pathname + location.search).replace(/%2F/g, "/") + "&expired=1";
          show("ended", "You were signed out to keep your journal private. Everything you saved is safe, and " +
            "words typed since wait in this tab until you sign in again.");
        }
      } else if (left <= warnBefore) {
        if (state !== "warning") {
          show("warning", absolute
            ? "For your privacy, each sign-in lasts a limited time: you'll be signed out at " + at(deadline) +
              ". Everything you've saved stays safe."
            : "For your privacy, you'll be signed out at " + at(deadline) + " unless you choose to stay. " +
              "Everything you've saved stays safe.");
        }
      } else if (state !== "quiet") {
        hide();
      }
    }

    stay.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = stay.querySelector("[name=csrf_token]").value;
      fetch(stay.action, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded" },
        body: "csrf_token=" + encodeURIComponent(token)
      }).then(function (response) {
        var left = response.status === 204 ? Number(response.headers.get(HEADER)) : NaN;
        if (isNaN(left)) { update(Date.now(), false); return; }
        if (left * 1000 <= warnBefore) absolute = true;  // only the absolute limit is left: staying cannot help
        update(Date.now() + left * 1000, true);
      }).catch(function () {
        message.textContent = "Couldn't reach the clinic's server. Check your connection, then try again.";
      });
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      var left = xhr ? xhr.getResponseHeader(HEADER) : null;
      if (left !== null && left !== "") update(Date.now() + Number(left) * 1000, true);
    });
    window.addEventListener("storage", function (event) {
      if (event.key === SHARED && event.newValue) update(Number(event.newValue), false);
    });
    try { localStorage.setItem(SHARED, String(deadline)); } catch (e) { /* this tab only */ }
    window.setInterval(tick, 1000);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("idle-warning");
    if (box) setup(box);
  });
})();
