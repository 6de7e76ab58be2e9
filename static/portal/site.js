// Enhancements only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so keyboard and screen-reader users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  // Character count for the correction form.
  var message = document.querySelector(".correction-form textarea");
  if (message && message.maxLength > 0) {
    var counter = document.createElement("p");
    counter.className = "hint";
    counter.setAttribute("aria-live", "polite");
    var update = function () { counter.textContent = message.value.length + " / " + message.maxLength; };
    message.insertAdjacentElement("afterend", counter);
    message.addEventListener("input", update);
    update();
  }
})();
