/* The moderation queue's keyboard, attached through data- attributes (no inline script).
   [data-review]            an item of the queue; its [data-review-check] box ticks it
   [data-decision]          the decision select; [data-decide] the form that sends it
   Keys: j/↓ next item, k/↑ previous, x tick or untick it, then a approve, s not spam,
   o not offensive, r reject, h hide, d delete, w warn, m mute, b ban, e escalate: the decision is applied to the ticked
   items (the one in focus when none is ticked). Keys are ignored while typing in a field. */
(function () {
  "use strict";
  var KEYS = { a: "approve", s: "not_spam", o: "not_offensive", r: "reject", h: "hide", d: "delete", w: "warn", m: "mute", b: "ban", e: "escalate" };

  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-review]")); }
  function focused() { return document.querySelector("[data-review].is-focused"); }

  function focus(item) {
    items().forEach(function (i) { i.classList.remove("is-focused"); });
    if (!item) return;
    item.classList.add("is-focused");
    item.scrollIntoView({ block: "nearest" });
    var box = item.querySelector("[data-review-check]");
    if (box) box.focus({ preventScroll: true });
  }

  function move(step) {
    var all = items();
    if (!all.length) return;
    var index = all.indexOf(focused());
    focus(index === -1 ? all[0] : all[Math.max(0, Math.min(all.length - 1, index + step))]);
  }

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && element.type !== "checkbox") || element.isContentEditable;
  }

  function decide(value) {
    var form = document.querySelector("[data-decide]");
    var select = document.querySelector("[data-decision]");
    if (!form || !select) return;
    if (!document.querySelector("[data-review-check]:checked")) {
      var item = focused();
      var box = item && item.querySelector("[data-review-check]");
      if (!box) return;
      box.checked = true;
    }
    select.value = value;
    form.requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    if (!document.querySelector("[data-decide]")) return;
    var key = event.key;
    if (key === "j" || key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (key === "k" || key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (key === "x") {
      var item = focused();
      var box = item && item.querySelector("[data-review-check]");
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (KEYS[key]) { decide(KEYS[key]); event.preventDefault(); }
  });
})();
