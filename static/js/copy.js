// The one-time API key: a Copy button where the Clipboard API is available (a secure
// context), and always the readonly field that selects the whole key when focused.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (box) {
    var source = box.querySelector("[data-copy-source]");
    var button = box.querySelector("[data-copy-button]");
    var status = box.querySelector("[data-copy-status]");
    var selectAll = function () { source.select(); };
    source.addEventListener("focus", selectAll);
    source.addEventListener("click", selectAll);
    if (!button || !navigator.clipboard || !window.isSecureContext) return;
    button.hidden = false;
    status.textContent = gettext("Copy the key now, or select it and press Ctrl+C (⌘C).");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(
        function () { status.textContent = gettext("Copied to the clipboard. Paste it into the tool now."); },
        function () {
          source.focus();
          status.textContent = gettext("Could not copy automatically: the key is selected, press Ctrl+C (⌘C).");
        }
      );
    });
  });
})();
