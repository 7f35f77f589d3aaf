// The review queue's keyboard: j/k move, x selects, c/r/f/d act on the selected rows (or the current one).
(function () {
  var form = document.getElementById("review-form");
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
  var current = 0;
  function focus(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    rows[current].focus();
    rows[current].scrollIntoView({block: "nearest"});
  }
  function box(row) { return row.querySelector("input[type=checkbox]"); }
  function submit(action) {
    if (!rows.length) return;
    if (!rows.some(function (row) { return box(row).checked; })) box(rows[current]).checked = true;
    document.getElementById("bulk-action").value = action;
    form.submit();
  }
  form.querySelectorAll("button[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { document.getElementById("bulk-action").value = button.dataset.action; });
  });
  document.getElementById("select-all").addEventListener("change", function (event) {
    rows.forEach(function (row) { box(row).checked = event.target.checked; });
  });
  rows.forEach(function (row, i) { row.addEventListener("click", function (event) { if (event.target.tagName !== "INPUT") focus(i); }); });
  var label = document.getElementById("bulk-label");
  label.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); submit(label.dataset.action || "relabel"); }
    if (event.key === "Escape") { label.blur(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" || event.target.tagName === "TEXTAREA" || event.target.tagName === "SELECT") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (key === "j") focus(current + 1);
    else if (key === "k") focus(current - 1);
    else if (key === "x") { var b = box(rows[current]); b.checked = !b.checked; }
    else if (key === "c") submit("confirm");
    else if (key === "d") submit("discard");
    else if (key === "r" || key === "f") { label.dataset.action = key === "r" ? "relabel" : "faq"; label.focus(); }
    else return;
    event.preventDefault();
  });
  focus(0);
})();
