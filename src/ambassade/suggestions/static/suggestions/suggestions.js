/* Suggested replies: [data-suggestion-insert] puts its data-text into the reply composer's text
   field ([data-reply-text], else the first textarea of [data-inbox-composer]) at the cursor and
   tells the composer (an "input" event, for its counter); without a composer it copies the text
   and says so. Attached by delegation, so it works in panels htmx swaps in. */
(function () {
  "use strict";
  function field() {
    return document.querySelector("[data-reply-text]") ||
      document.querySelector("[data-inbox-composer] textarea");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-suggestion-insert]") : null;
    if (!button) return;
    event.preventDefault();
    var text = button.getAttribute("data-text") || "";
    var target = field();
    if (target) {
      var start = target.selectionStart || 0, end = target.selectionEnd || 0;
      var before = target.value.slice(0, start), after = target.value.slice(end);
      target.value = before + text + after;
      var caret = (before + text).length;
      target.focus();
      target.setSelectionRange(caret, caret);
      target.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    }
  });
})();
