// Enhancements only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so keyboard and screen-reader users hear it first (GOV.UK pattern).
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  // Filters start folded (phones see results first); a wide screen has room to show them.
  var filters = document.querySelector("details[data-open-when-wide]");
  if (filters && window.matchMedia("(min-width: 40rem)").matches) { filters.open = true; }
  // Character count for the correction form: shown always, announced only near the limit.
  var message = document.querySelector(".correction-form textarea");
  if (message && message.maxLength > 0) {
    var counter = document.createElement("p");
    counter.className = "hint char-count";
    counter.id = message.id + "_count";
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    var lang = document.documentElement.lang || "en";
    var zh = lang.indexOf("zh") === 0;
    var near = Math.max(20, Math.round(message.maxLength * 0.1));
    var announced = null, timer = null;
    var leftText = function (left) {
      if (zh) { return left >= 0 ? "还可输入 " + left + " 个字符" : "超出 " + (-left) + " 个字符"; }
      if (left >= 0) { return "You have " + left + (left === 1 ? " character" : " characters") + " remaining"; }
      return "You have " + (-left) + (left === -1 ? " character" : " characters") + " too many";
    };
    var update = function () {
      var left = message.maxLength - message.value.length;
      counter.textContent = message.value.length + " / " + message.maxLength;
      // Far from the limit: silence. Near it: say what is left, once typing pauses.
      clearTimeout(timer);
      if (left > near) { announced = null; return; }
      timer = setTimeout(function () {
        if (announced !== left) { live.textContent = leftText(left); announced = left; }
      }, 800);
    };
    message.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", live);
    message.addEventListener("input", update);
    update();
  }
})();
