// Homeward: behaviour shared by every page. No inline scripts (the CSP
// forbids them), so the layout includes this file.
(function () {
  "use strict";
  if (window.homewardApp) { return; }
  window.homewardApp = true;
  // A form answered with its errors (400), a conflict (409), a stale version
  // (412), a refusal (403, 404), a body too large (413) or a lock-out (429)
  // is a page to show, not a failure: let htmx swap it in as it would a 200.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var s = e.detail.xhr && e.detail.xhr.status;
    if (s === 400 || s === 401 || s === 403 || s === 404 || s === 409 || s === 412 || s === 413 || s === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
