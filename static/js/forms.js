// A form that came back with errors: bring its error summary (templates/_forms.html) into
// view and give it the focus, so a phone user sees what to correct without scrolling; each
// link in it moves to its field. Without a summary, the first field marked invalid.
// Served from our own origin (the CSP allows 'self' scripts only).
// Run once the page has loaded: a redirect back to a section (``/cases/7#objections``)
// moves to its fragment while loading, which would take the focus away again.
function bringErrorsIntoView() {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  var target = summary || document.querySelector("[aria-invalid=true]");
  if (!target) {
    return;
  }
  var details = target.closest("details");
  if (details) {
    details.open = true; // a form folded away (e.g. a new objection) opens to show its errors
  }
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
  if (!summary) {
    return;
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
}

if (document.readyState === "complete") {
  bringErrorsIntoView();
} else {
  window.addEventListener("load", bringErrorsIntoView);
}
