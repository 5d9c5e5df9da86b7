// The HTML report's only script (inlined; the page's Content-Security-Policy allows exactly
// this text by its hash). Without it the findings table is a plain table. With it: a click
// (or Enter) on a column heading sorts the rows, ties keep the report's order; buttons open
// and close every finding; printing opens them all.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (row, i) { row.setAttribute("data-order", String(i)); });
  table.classList.add("js-sortable");

  function key(row, column) {
    var cell = row.cells[column];
    var given = cell.getAttribute("data-sort");
    return given !== null ? given : cell.textContent.trim().toLowerCase();
  }

  function sort(column) {
    var head = heads[column];
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = key(a, column), y = key(b, column);
      if (x !== y) return (x < y ? -1 : 1) * (ascending ? 1 : -1);
      return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  heads.forEach(function (head, column) {
    head.tabIndex = 0;
    head.title = "Sort by " + head.textContent.trim().toLowerCase();
    head.addEventListener("click", function () { sort(column); });
    head.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sort(column);
      }
    });
  });

  function openAll(open) {
    Array.prototype.forEach.call(table.querySelectorAll("details"), function (d) {
      d.open = open;
    });
  }
  var tools = document.getElementById("findings-tools");
  if (tools) {
    [["Open all", true], ["Close all", false]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = pair[0];
      button.addEventListener("click", function () { openAll(pair[1]); });
      tools.appendChild(button);
    });
  }
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.open = true;
    });
  });
})();
