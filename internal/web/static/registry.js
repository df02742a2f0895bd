// Homeward registry pages. No inline scripts: the CSP forbids them, so the
// registry's templates include this file (it guards against running twice
// when htmx swaps in a page that includes it again).
(function () {
  "use strict";
  if (window.homewardRegistry) { return; }
  window.homewardRegistry = true;

  // The import page's progress bar: htmx reports the upload's progress;
  // once every byte is sent the server is checking rows.
  document.addEventListener("htmx:xhr:progress", function (e) {
    var bar = document.getElementById("import-progress");
    if (!bar || !e.detail || !e.detail.lengthComputable) { return; }
    var pct = Math.round(e.detail.loaded / e.detail.total * 100);
    bar.value = pct;
    var phase = document.getElementById("import-phase");
    if (phase) { phase.textContent = pct >= 100 ? phase.getAttribute("data-done") : pct + "%"; }
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var bar = document.getElementById("import-progress");
    if (bar && e.target && e.target.closest && e.target.closest("#import-form")) {
      bar.value = 0;
      var phase = document.getElementById("import-phase");
      if (phase) { phase.textContent = ""; }
    }
  });
})();
