// Autosave for the journal editor: htmx posts the draft; this file only keeps the person informed and retries
// when a save fails for network or server reasons (never after a 409: that needs a human decision).
(function () {
  "use strict";
  var delays = [2000, 4000, 8000, 15000, 30000];

  function setup(form) {
    var status = document.getElementById("save-status");
    var attempt = 0;
    var timer = null;
    function say(text, cls) {
      status.innerHTML = "";
      var span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      status.appendChild(span);
    }
    function retry() {
      if (timer) return;
      say("Not saved — retrying", "save-problem");
      var wait = delays[Math.min(attempt, delays.length - 1)];
      attempt += 1;
      timer = window.setTimeout(function () { timer = null; htmx.trigger(form, "retry"); }, wait);
    }
    form.addEventListener("htmx:beforeRequest", function () { if (!timer) say("Saving…", "save-pending"); });
    form.addEventListener("htmx:sendError", retry);
    form.addEventListener("htmx:timeout", retry);
    form.addEventListener("htmx:responseError", function (event) {
      var code = event.detail.xhr ? event.detail.xhr.status : 0;
      if (code === 0 || code >= 500) retry();
      else if (code === 403) say("Not saved — your session may have ended. Copy your text, then reload.", "save-problem");
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) attempt = 0;
    });
    window.addEventListener("online", function () {
      if (timer) { window.clearTimeout(timer); timer = null; }
      htmx.trigger(form, "retry");
    });
    window.addEventListener("beforeunload", function (event) {
      if (timer || (status.textContent || "").indexOf("Saving") === 0) { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    if (form && window.htmx) setup(form);
  });
})();
