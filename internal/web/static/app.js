// Homeward: behaviour shared by every page. No inline scripts (the CSP
// forbids them), so the layout includes this file.
(function () {
  "use strict";
  if (window.homewardApp) { return; }
  window.homewardApp = true;
  // A form answered with its errors (400), a conflict (409), a stale version
  // (412), a refusal (403, 404) or a lock-out (429) is a page to show, not a
  // failure: let htmx swap it in as it would a 200.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var s = e.detail.xhr && e.detail.xhr.status;
    if (s === 400 || s === 401 || s === 403 || s === 404 || s === 409 || s === 412 || s === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // The error summary's links name their field: the text of the field's
  // label (or its fieldset's legend) goes before the message.
  function textOf(el) {
    if (!el) { return ""; }
    var c = el.cloneNode(true);
    var drop = c.querySelectorAll(".hint, [aria-hidden], .field-error, input, select, textarea");
    for (var i = 0; i < drop.length; i++) { drop[i].remove(); }
    return c.textContent;
  }
  function nameSummary() {
    var links = document.querySelectorAll("#error-summary a[data-field]");
    for (var i = 0; i < links.length; i++) {
      var a = links[i];
      if (a.getAttribute("data-named")) { continue; }
      var id = a.getAttribute("data-field");
      var el = document.getElementById(id);
      var label = document.querySelector('label[for="' + id + '"]');
      var name = textOf(label);
      if (!name && el) {
        var fs = el.tagName === "FIELDSET" ? el : el.closest("fieldset");
        name = textOf(fs && fs.querySelector("legend"));
      }
      name = name.replace(/\s*\*\s*$/, "").trim();
      if (name) {
        var b = document.createElement("strong");
        b.textContent = name + ": ";
        a.insertBefore(b, a.firstChild);
      }
      a.setAttribute("data-named", "1");
    }
  }
  document.addEventListener("DOMContentLoaded", nameSummary);
  document.addEventListener("htmx:afterSettle", nameSummary);
})();
