/* Publishing behaviours, attached through data- attributes (no inline script).
   data-tabs        a role=tablist: its tabs show one [data-tab-panel] at a time (arrow keys move)
   data-drop-date   a calendar day that accepts a dragged [data-drag-url] item: the hidden
                    [data-drag-form] is posted to the item's reschedule URL with the new date and
                    the item's time, so the server validates it like the reschedule form.
   data-drop-hour   an hour of a day in the week's grid: the item moves to that hour, same minutes. */
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

  // Drag and drop in the calendar. A drop target is a day ([data-drop-date]: the post keeps its
  // time) or, in the week, an hour of a day ([data-drop-hour]: the post keeps its minutes). The
  // hidden [data-drag-form] is posted to the post's reschedule URL, so the server checks the move
  // like any other (permissions, time zone, approvals). Without a mouse, each post has a form.
  var dragged = null;
  function dropTarget(event) {
    return event.target.closest ? event.target.closest("[data-drop-hour], [data-drop-date]") : null;
  }
  function clearTargets() {
    document.querySelectorAll(".is-drop-target").forEach(function (node) {
      node.classList.remove("is-drop-target");
    });
  }
  document.addEventListener("dragstart", function (event) {
    dragged = event.target.closest ? event.target.closest("[data-drag-url]") : null;
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.getAttribute("data-drag-url"));
    dragged.classList.add("is-dragged");
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragged");
    dragged = null;
    clearTargets();
  });
  document.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (!target || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("is-drop-target")) {
      clearTargets();
      target.classList.add("is-drop-target");
    }
  });
  document.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    var form = document.querySelector("[data-drag-form]");
    if (!target || !dragged || !form) return;
    event.preventDefault();
    var time = dragged.getAttribute("data-drag-time");
    var hour = target.getAttribute("data-drop-hour");
    if (hour !== null) time = ("0" + hour).slice(-2) + ":" + time.split(":")[1];
    form.action = dragged.getAttribute("data-drag-url");
    form.elements.date.value = target.getAttribute("data-drop-date");
    form.elements.time.value = time;
    dragged = null;
    clearTargets();
    form.submit();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initTabs);
  else initTabs();
})();
