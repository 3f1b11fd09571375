// On a phone the main navigation folds behind a Menu button, so the page starts near the top
// of the screen instead of ~300 px down. Without JavaScript the navigation simply stays open.
(function () {
  "use strict";
  var header = document.querySelector(".topbar");
  var button = header && header.querySelector(".navbutton");
  if (!button) return;
  header.classList.add("js-nav");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = header.classList.toggle("nav-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
