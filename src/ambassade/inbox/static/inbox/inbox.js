/* The inbox's keyboard and small behaviours, attached through data- attributes (no inline script).
   [data-inbox-row]        a row of the list; its [data-inbox-open] link opens it
   [data-inbox-key="e"]    a button or link the key triggers (e resolve, t take, r reply)
   [data-inbox-assign]     the assignment form (a focuses its first select)
   [data-inbox-label]      the label select (l focuses it)
   [data-inbox-select-all], [data-inbox-check], [data-inbox-selected]  bulk selection
   [data-autosubmit]       a filter form sent when a select changes
   [data-inbox-replying]   the presence poll's "writing a reply" flag, set while a field of
                           [data-inbox-composer] has focus or text
   [data-inbox-help]       the shortcuts dialog, opened with "?" or [data-inbox-help-open]
   Keys: j/↓ next, k/↑ previous, Enter/o open, x select, a assign, t take, e resolve, r reply,
   l label, / search, ? help, Esc close or leave a field. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-inbox-row]")); }
  function focused() { return document.querySelector("[data-inbox-row].is-focused") || document.querySelector("[data-inbox-row].is-current"); }

  function focusRow(row) {
    rows().forEach(function (r) { r.classList.remove("is-focused"); });
    if (!row) return;
    row.classList.add("is-focused");
    row.scrollIntoView({ block: "nearest" });
    var link = row.querySelector("[data-inbox-open]");
    if (link) link.focus({ preventScroll: true });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(focused());
    var next = all[Math.max(0, Math.min(all.length - 1, index + step))];
    if (index === -1) next = all[0];
    var current = document.querySelector("[data-inbox-conversation]");
    // With a conversation open, moving opens the next one (like a mail client); else it selects.
    if (current && next && !next.classList.contains("is-current")) {
      var link = next.querySelector("[data-inbox-open]");
      if (link) { window.location.href = link.href; return; }
    }
    focusRow(next);
  }

  function press(key) {
    var target = document.querySelector('[data-inbox-key="' + key + '"]');
    if (!target) return false;
    target.click();
    return true;
  }

  function updateSelection() {
    var counter = document.querySelector("[data-inbox-selected]");
    if (!counter) return;
    var n = document.querySelectorAll("[data-inbox-check]:checked").length;
    counter.textContent = n ? String(n) : "";
  }

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function help() {
    var dialog = document.querySelector("[data-inbox-help]");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-inbox]")) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(document.activeElement)) return;
    var dialog = document.querySelector("[data-inbox-help]");
    if (dialog && dialog.open && event.key !== "?") return;
    var handled = true;
    switch (event.key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "Enter": case "o": {
        var row = focused();
        var link = row && row.querySelector("[data-inbox-open]");
        if (link) window.location.href = link.href; else handled = false;
        break;
      }
      case "x": {
        var chosen = focused();
        var box = chosen && chosen.querySelector("[data-inbox-check]");
        if (box) { box.checked = !box.checked; updateSelection(); } else handled = false;
        break;
      }
      case "a": {
        var select = document.querySelector("[data-inbox-assign] select");
        if (select) select.focus(); else handled = false;
        break;
      }
      case "l": {
        var label = document.querySelector("[data-inbox-label]");
        if (label) label.focus(); else handled = false;
        break;
      }
      case "e": case "t": handled = press(event.key); break;
      case "r": {
        var field = document.querySelector("[data-inbox-composer] textarea");
        if (field) field.focus(); else handled = press("r");
        break;
      }
      case "/": {
        var search = document.querySelector("[data-inbox-search]");
        if (search) search.focus(); else handled = false;
        break;
      }
      case "?": help(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-inbox-help-open]")) help();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-inbox-select-all]")) {
      document.querySelectorAll("[data-inbox-check]").forEach(function (box) { box.checked = target.checked; });
      updateSelection();
    } else if (target.matches("[data-inbox-check]")) {
      updateSelection();
    } else if (target.tagName === "SELECT" && target.form && target.form.hasAttribute("data-autosubmit")) {
      target.form.submit();
    }
  });

  // "Writing a reply": sent with the presence poll, so colleagues see it.
  function replying() {
    var flag = document.querySelector("[data-inbox-replying]");
    var composer = document.querySelector("[data-inbox-composer]");
    if (!flag || !composer) return;
    var active = composer.contains(document.activeElement) && typing(document.activeElement);
    var written = Array.prototype.some.call(composer.querySelectorAll("textarea"), function (t) { return t.value.trim() !== ""; });
    flag.value = active || written ? "1" : "0";
  }
  document.addEventListener("focusin", replying);
  document.addEventListener("focusout", function () { window.setTimeout(replying, 0); });
  document.addEventListener("input", replying);

  function init() {
    var current = document.querySelector("[data-inbox-row].is-current");
    if (current) current.scrollIntoView({ block: "nearest" });
    updateSelection();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
