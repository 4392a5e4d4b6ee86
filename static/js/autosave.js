// Autosave for the journal editor: htmx posts the draft; this file only keeps the person informed and retries
// when a save fails for network or server reasons (never after a 409: that needs a human decision).
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
        fields[el.name + (el.type === "checkbox" ? ":" + el.value : "")] = el.type === "checkbox" ? el.checked : el.value;
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
        var name = el.name + (el.type === "checkbox" ? ":" + el.value : "");
        if (!(name in data.fields)) return;
        if (el.type === "checkbox") el.checked = data.fields[name]; else el.value = data.fields[name];
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
    form.addEventListener("htmx:beforeRequest", function () {
      sentAt = Date.now();
      if (!timer && !restoring) say("Saving…", "save-pending");
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
      if (event.detail.successful) {
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
