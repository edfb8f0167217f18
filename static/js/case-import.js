// The progress of a bulk import of cases: asks the import's status (a small JSON
// document) every second and updates the bar and the counts, without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("case-import");
  if (!box || box.dataset.finished === "yes") { return; }
  var url = box.dataset.statusUrl;
  function set(selector, text) {
    var node = box.querySelector(selector);
    if (node) { node.textContent = String(text); }
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 5000); return; }
        var bar = box.querySelector(".import-progress");
        bar.max = Math.max(state.total, 1);
        bar.value = state.done;
        bar.textContent = state.percent + "%";
        set(".count-done", state.done);
        set(".count-total", state.total);
        set(".count-created", state.created);
        set(".count-refused", state.refused);
        set(".import-status", state.label);
        if (state.status === "failed") {
          // stopped: the page shows why, and the button to resume it
          window.location.reload();
          return;
        }
        if (state.finished) {
          box.querySelector(".import-finished").hidden = false;
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
