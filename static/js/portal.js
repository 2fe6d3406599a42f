// Behaviour shared by every page. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";
  // Elements marked data-auto-hide="60" are emptied after that many seconds (revealed secrets).
  function armAutoHide(root) {
    root.querySelectorAll("[data-auto-hide]").forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      var seconds = parseInt(el.dataset.autoHide, 10) || 60;
      setTimeout(function () {
        el.textContent = el.dataset.hiddenText || "Hidden again.";
      }, seconds * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { armAutoHide(document); });
  document.body && document.body.addEventListener("htmx:afterSwap", function (e) { armAutoHide(e.target); });
})();
// Print buttons (consent class lists, board packs): no inline onclick under the CSP.
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-print]");
  if (button) { window.print(); }
});
