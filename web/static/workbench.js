// The workbench's only script, served from the package (no other site, no inline script).
// Pages work without it; it adds conveniences: "select all" boxes, confirmation of steps
// that cannot be undone, and the back link of error pages.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    all.addEventListener("change", () => {
      for (const box of document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`)) {
        box.checked = all.checked;
      }
    });
  }
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  for (const a of document.querySelectorAll("a[data-back]")) {
    a.addEventListener("click", (e) => { e.preventDefault(); history.back(); });
  }
});
