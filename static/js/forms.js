// Forms: a page that comes back with errors puts the focus on its error summary, so a
// screen reader announces it and the keyboard starts there; each summary link then
// focuses its field (a link to a fieldset focuses the fieldset's first control).
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var control = target.matches("input, select, textarea, button")
      ? target
      : target.querySelector("input, select, textarea, button");
    (control || target).focus();
    (target.closest(".field") || target).scrollIntoView({ block: "center" });
  });
})();
