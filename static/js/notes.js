// "Quote into the note": appends a shared journal excerpt, marked as the patient's words, to a section.
// The buttons are rendered hidden (they need this script) and shown here.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-quote]").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-quote]");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("data-quote-target"));
    if (!target) return;
    var lines = button.getAttribute("data-quote").split("\n").map(function (l) { return "> " + l; });
    var quote = lines.join("\n") + "\n> — patient's words, journal " + button.getAttribute("data-quote-date") + "\n";
    target.value = (target.value ? target.value.replace(/\s*$/, "") + "\n\n" : "") + quote;
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
  });
})();
