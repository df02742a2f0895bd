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
  // A list with a "choose all" box (the duplicate queue): the box chooses or
  // clears every row of the page, and shows whether some or all are chosen.
  // It stays hidden without scripts; each row's own box works either way.
  function chooseAll() {
    var boxes = document.querySelectorAll("input[data-choose-all]");
    for (var i = 0; i < boxes.length; i++) {
      var all = boxes[i];
      if (all.getAttribute("data-ready")) { continue; }
      all.setAttribute("data-ready", "1");
      var form = all.form || all.closest("form") || document;
      var name = all.getAttribute("data-choose-all");
      var rows = function () { return form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'); };
      var sync = function () {
        var r = rows(), n = 0;
        for (var j = 0; j < r.length; j++) { if (r[j].checked) { n++; } }
        all.checked = r.length > 0 && n === r.length;
        all.indeterminate = n > 0 && n < r.length;
      };
      all.addEventListener("change", function () {
        var r = rows();
        for (var j = 0; j < r.length; j++) { r[j].checked = all.checked; }
        all.indeterminate = false;
      });
      form.addEventListener("change", function (e) {
        if (e.target !== all && e.target.name === name) { sync(); }
      });
      all.hidden = false;
      sync();
    }
  }
  function enhance() { nameSummary(); labelCells(); chooseAll(); }
  document.addEventListener("DOMContentLoaded", enhance);
  document.addEventListener("htmx:afterSettle", enhance);
})();
