// The docket's "every case on this page" box ticks (or clears) each case's box, and a
// case box cleared clears it again. Without scripts the box still works: the server then
// takes every case the page listed (app/cases/views/docket_bulk.py).
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  if (!all) {
    return;
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-select-case]"));
  all.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) {
        all.checked = false;
      }
    });
  });
})();
