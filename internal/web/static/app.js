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
  // On a phone a list's rows are cards: each cell shows its column's name
  // (the stylesheet draws data-label before the value).
  function labelCells() {
    var tables = document.querySelectorAll(".reg-table table");
    for (var i = 0; i < tables.length; i++) {
      var ths = tables[i].querySelectorAll("thead th");
      if (!ths.length) { continue; }
      var names = [];
      for (var j = 0; j < ths.length; j++) { names.push(textOf(ths[j]).trim()); }
      var rows = tables[i].querySelectorAll("tbody tr");
      for (var r = 0; r < rows.length; r++) {
        for (var c = 0; c < rows[r].cells.length && c < names.length; c++) {
          var cell = rows[r].cells[c];
          if (names[c] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", names[c]); }
        }
      }
    }
  }
  function enhance() { nameSummary(); labelCells(); }
  document.addEventListener("DOMContentLoaded", enhance);
  document.addEventListener("htmx:afterSettle", enhance);
})();
