/* Progressive enhancement for tables: sort by a column, filter by chain, park, status and district.
   Without this script the tables read as plain tables. */
(function () {
  "use strict";

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (kind === "number") {
      var n = parseFloat(raw === null ? cell.textContent : raw);
      return isNaN(n) ? -Infinity : n;
    }
    return cell.textContent.trim();
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
          var order = kind === "number" ? x - y : x.localeCompare(y, "zh-CN");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute("data-filters-for"));
    if (!table) { return; }
    var selects = form.querySelectorAll("select[data-filter]");
    var count = form.querySelector(".filter-count");
    function apply() {
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var visible = Array.prototype.every.call(selects, function (select) {
          return !select.value || row.getAttribute("data-" + select.getAttribute("data-filter")) === select.value;
        });
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (count) {  // the words come from the page (its language): "显示 {shown} / {total} 个项目"
        var words = form.getAttribute("data-count-template") || "显示 {shown} / {total} 个项目";
        count.textContent = words.replace("{shown}", shown).replace("{total}", table.tBodies[0].rows.length);
      }
    }
    Array.prototype.forEach.call(selects, function (select) { select.addEventListener("change", apply); });
    form.hidden = false;
    apply();
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("form[data-filters-for]").forEach(makeFilterable);
})();
