/* The reply composer (replies/composer.html), attached by delegation:
   [data-composer-tab]     switches between the reply and the internal note ([data-composer-pane])
   [data-saved-insert]     puts a saved reply's data-text into [data-reply-text] at the cursor
   /shortcut + Tab         in [data-reply-text]: replaced by the saved reply of that shortcut
   [data-mention-insert]   puts "@token " into the note
   Ctrl/Cmd+Enter          sends the form of the focused text field
   Each insertion sends an "input" event, so the live counter follows. */
(function () {
  "use strict";
  if (window.ambassadeReplies) return;
  window.ambassadeReplies = true;

  function insert(field, text, from, to) {
    var start = from === undefined ? field.selectionStart || 0 : from;
    var end = to === undefined ? field.selectionEnd || 0 : to;
    var before = field.value.slice(0, start), after = field.value.slice(end);
    field.value = before + text + after;
    var caret = (before + text).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function show(pane, focus) {
    document.querySelectorAll("[data-composer-tab]").forEach(function (tab) {
      var on = tab.getAttribute("data-composer-tab") === pane;
      tab.classList.toggle("is-current", on);
      tab.setAttribute("aria-selected", on ? "true" : "false");
    });
    document.querySelectorAll("[data-composer-pane]").forEach(function (element) {
      element.hidden = element.getAttribute("data-composer-pane") !== pane;
    });
    var field = document.querySelector('[data-composer-pane="' + pane + '"] textarea');
    if (field && focus) field.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    var tab = target.closest("[data-composer-tab]");
    if (tab) { show(tab.getAttribute("data-composer-tab"), true); return; }
    var saved = target.closest("[data-saved-insert]");
    if (saved) {
      var field = document.querySelector("[data-reply-text]");
      if (field) insert(field, saved.getAttribute("data-text") || "");
      var menu = saved.closest("details");
      if (menu) menu.open = false;
      return;
    }
    var mention = target.closest("[data-mention-insert]");
    if (mention) {
      var note = document.querySelector("[data-note-text]");
      if (note) insert(note, "@" + mention.getAttribute("data-mention-insert") + " ");
    }
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field || field.tagName !== "TEXTAREA" || !field.closest("[data-reply-composer]")) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (field.form) field.form.requestSubmit();
      return;
    }
    if (event.key === "Tab" && !event.shiftKey && field.hasAttribute("data-reply-text")) {
      var caret = field.selectionStart || 0;
      var match = /(^|\s)\/([a-z0-9_-]+)$/.exec(field.value.slice(0, caret));
      if (!match) return;
      var shortcut = match[2];
      var found = Array.prototype.find.call(
        document.querySelectorAll("[data-saved-insert]"),
        function (button) { return button.getAttribute("data-shortcut") === shortcut; }
      );
      if (!found) return;
      event.preventDefault();
      insert(field, found.getAttribute("data-text") || "", caret - shortcut.length - 1, caret);
    }
  });

  function init() {
    if (document.querySelector("[data-composer-tab]")) show("reply", false);
    // A draft given back after an error: its counter is the server's already (check.html).
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
