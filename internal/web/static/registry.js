// Homeward registry: the upload progress bar of the import page. htmx
// reports the upload's progress; once every byte is sent the server is
// checking rows, which the phase text says. (No inline scripts: the CSP
// forbids them.)
(function () {
  "use strict";
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
