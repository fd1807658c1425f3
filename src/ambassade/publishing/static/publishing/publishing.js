/* Publishing behaviours, attached through data- attributes (no inline script).
   data-tabs        a role=tablist: its tabs show one [data-tab-panel] at a time (arrow keys move)
   data-drop-date   a calendar day that accepts a dragged [data-drag-url] item: the hidden
                    [data-drag-form] is posted to the item's reschedule URL with the new date and
                    the item's time, so the server validates it like the reschedule form. */
(function () {
  "use strict";

  function select(tab) {
    var list = tab.closest("[data-tabs]");
    list.querySelectorAll("[role=tab]").forEach(function (other) {
      var on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
  }

  function initTabs() {
    document.querySelectorAll("[data-tabs]").forEach(function (list) {
      var tabs = list.querySelectorAll("[role=tab]");
      var current = list.querySelector("[aria-selected=true]") || tabs[0];
      if (current) select(current);
    });
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-tabs] [role=tab]");
    if (tab) select(tab);
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest("[data-tabs] [role=tab]");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var tabs = Array.prototype.slice.call(tab.closest("[data-tabs]").querySelectorAll("[role=tab]"));
    var index = tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : -1);
    var next = tabs[(index + tabs.length) % tabs.length];
    select(next);
    next.focus();
  });

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    dragged = event.target.closest ? event.target.closest("[data-drag-url]") : null;
    if (dragged) event.dataTransfer.setData("text/plain", dragged.getAttribute("data-drag-url"));
  });
  document.addEventListener("dragover", function (event) {
    var day = event.target.closest && event.target.closest("[data-drop-date]");
    if (day && dragged) {
      event.preventDefault();
      day.classList.add("is-drop-target");
    }
  });
  document.addEventListener("dragleave", function (event) {
    var day = event.target.closest && event.target.closest("[data-drop-date]");
    if (day) day.classList.remove("is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    var day = event.target.closest && event.target.closest("[data-drop-date]");
    var form = document.querySelector("[data-drag-form]");
    if (!day || !dragged || !form) return;
    event.preventDefault();
    form.action = dragged.getAttribute("data-drag-url");
    form.elements.date.value = day.getAttribute("data-drop-date");
    form.elements.time.value = dragged.getAttribute("data-drag-time");
    dragged = null;
    form.submit();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initTabs);
  else initTabs();
})();
