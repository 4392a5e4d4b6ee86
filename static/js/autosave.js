// Autosave for the journal editor: htmx posts the draft; this file only keeps the person informed and retries
// when a save fails for network or server reasons. Two windows on one entry need nothing from here: the server keeps
// both texts (the other one in a conflict copy) and says so in the status line.
(function () {
  "use strict";
  var delays = [2000, 4000, 8000, 15000, 30000];

  function setup(form) {
    var status = document.getElementById("save-status");
    var attempt = 0;
    var timer = null;
    var lastInput = 0;   // when the person last typed
    var sentAt = 0;      // when the save in flight was sent
    var dirty = false;   // typed since the last acknowledged save
    // Unsaved words also wait in this tab's sessionStorage (gone when the tab closes) until a save is
    // acknowledged, so a session that ends mid-sentence loses nothing: after signing in again they come back.
    var keyField = form.querySelector("[name=draft_key]");
    var versionField = function () { return form.querySelector("[name=version]"); };
    var storeKey = keyField ? "afterglow-unsaved:" + keyField.value : null;
    function stash() {
      if (!storeKey) return;
      var fields = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "password") return;
        var ticked = el.type === "checkbox" || el.type === "radio";  // one entry per box: name:value -> checked
        fields[el.name + (ticked ? ":" + el.value : "")] = ticked ? el.checked : el.value;
      });
      try {
        sessionStorage.setItem(storeKey, JSON.stringify({ version: versionField().value, fields: fields }));
      } catch (e) { /* storage full or disabled: autosave still runs */ }
    }
    function restore() {
      var saved = storeKey && sessionStorage.getItem(storeKey);
      if (!saved) return false;
      var data = JSON.parse(saved);
      if (data.version !== versionField().value) { sessionStorage.removeItem(storeKey); return false; }
      Array.prototype.forEach.call(form.elements, function (el) {
        var ticked = el.type === "checkbox" || el.type === "radio";
        var name = el.name + (ticked ? ":" + el.value : "");
        if (!(name in data.fields)) return;
        if (ticked) el.checked = data.fields[name]; else el.value = data.fields[name];
      });
      return true;
    }
    form.addEventListener("input", function () { lastInput = Date.now(); dirty = true; stash(); });
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
    var restoring = false;  // keep the "Restored words…" message up while that save runs
    var leaving = false;    // the server sent us to sign in again: the words wait in sessionStorage
    var inFlight = false;   // an autosave has been sent and not yet answered
    var submitted = false;  // the person pressed Save: the form itself now carries every word
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (submitted) { event.preventDefault(); return; }  // no autosave may race the form's own post
      // htmx's "focusout changed" fires the first time focus leaves each field, typed in or not: only send when
      // something was typed since the last save went out (a retry resends that save, so it always goes).
      var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
      if (!(trigger && trigger.type === "retry") && (!dirty || lastInput <= sentAt)) { event.preventDefault(); return; }
      inFlight = true;
      sentAt = Date.now();
      if (!timer && !restoring) say("Saving…", "save-pending");
    });
    // Save pressed (or Enter) while an autosave is on its way, as when Tab to Save fired one on leaving the text
    // box: wait for its answer, which brings the new version, so the post does not meet a conflict of our own making.
    form.addEventListener("submit", function (event) {
      submitted = true;
      leaving = true;  // nothing to warn about or send on the way out: the post carries the words
      if (timer) { window.clearTimeout(timer); timer = null; }
      if (inFlight) event.preventDefault();
    });
    form.addEventListener("htmx:beforeOnLoad", function (event) {
      var xhr = event.detail.xhr;
      if (xhr && xhr.getResponseHeader("HX-Redirect")) leaving = true;
    });
    form.addEventListener("htmx:sendError", retry);
    form.addEventListener("htmx:timeout", retry);
    form.addEventListener("htmx:responseError", function (event) {
      var code = event.detail.xhr ? event.detail.xhr.status : 0;
      if (code === 0 || code >= 500) retry();
      else if (code === 403) say("Not saved — your session may have ended. Copy your text, then reload.", "save-problem");
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      inFlight = false;
      if (submitted) { form.submit(); return; }  // the held-back post, now with the version just given
      // A refused save (400: too long, a bad value; 409: changed elsewhere) is swapped in as a message, which htmx
      // counts as successful: only a 2xx means the words are stored, so only then may the tab's copy go.
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      if (event.detail.successful && status >= 200 && status < 300) {
        attempt = 0;
        restoring = false;
        if (lastInput <= sentAt) {
          dirty = false;
          if (storeKey) sessionStorage.removeItem(storeKey);
        } else {
          stash();  // newer words than this save: keep them, with the version the server just gave
        }
      }
    });
    window.addEventListener("online", function () {
      if (timer) { window.clearTimeout(timer); timer = null; }
      htmx.trigger(form, "retry");
    });
    // Leaving within the 2-second pause after typing: send what is there (the server still checks the version),
    // and ask the browser to warn, so the last words are never silently dropped.
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && (dirty || timer)) { event.preventDefault(); event.returnValue = ""; }
    });
    if (restore()) {
      dirty = true;
      lastInput = Date.now();
      say("Restored words that were not saved yet — saving…", "save-pending");
      restoring = true;
      htmx.trigger(form, "retry");
    }
    window.addEventListener("pagehide", function () {
      if (dirty && !leaving && navigator.sendBeacon) {
        navigator.sendBeacon(form.getAttribute("hx-post"), new FormData(form));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    if (form && window.htmx) setup(form);
  });
})();
