/* The case page's message threads as tabs (WAI-ARIA tabs pattern). Without JavaScript every
   thread stays on the page under its own heading; with it, the links become a tablist,
   one thread shows at a time, the selected tab carries aria-selected="true", and arrow
   keys move between tabs. A link to #thread-<key> (e.g. after posting) opens that tab. */
(function () {
  "use strict";
  document.querySelectorAll("[data-thread-tabs]").forEach(function (root) {
    var list = root.querySelector(".thread-tabs ul");
    if (!list) { return; }
    var tabs = Array.prototype.slice.call(root.querySelectorAll(".thread-tab"));
    var panels = tabs.map(function (tab) { return document.getElementById("thread-" + tab.dataset.tab); });
    list.setAttribute("role", "tablist");
    list.querySelectorAll("li").forEach(function (li) { li.setAttribute("role", "presentation"); });
    tabs.forEach(function (tab, i) {
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", tab.id);
    });
    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.setAttribute("tabindex", on ? "0" : "-1");
        panels[i].hidden = !on;
      });
      if (focus) { tabs[index].focus(); }
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, false);
        history.replaceState(null, "", "#" + panels[i].id);
      });
      tab.addEventListener("keydown", function (event) {
        var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) { return; }
        event.preventDefault();
        select((next + tabs.length) % tabs.length, true);
      });
    });
    var wanted = panels.findIndex(function (panel) { return "#" + panel.id === location.hash; });
    select(wanted < 0 ? 0 : wanted, false);
  });
})();
