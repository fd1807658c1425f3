/* Response-time timers counting down live, in business time.
   data-target-timer     on a timer: data-remaining (business seconds left when the page was made;
                         negative: late), data-soon (seconds: "due soon" below), data-spans (the
                         business time of the next two days, "start,end;…" in seconds from then),
                         data-words (JSON: the wordings, in the page's language).
   The count runs only inside the spans: outside business hours it waits, as the target does. */
(function () {
  "use strict";
  // Loaded with each conversation (a conversation opened through htmx brings it again): once.
  var root = document.documentElement;
  if (root.dataset.targetTimers) return;
  root.dataset.targetTimers = "1";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)(02d|s)/g, function (_, name, kind) {
      var value = String(values[name]);
      return kind === "02d" && value.length < 2 ? "0" + value : value;
    });
  }

  function duration(words, seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (!hours) return fill(words.min, {minutes: minutes});
    if (!minutes || hours >= 24) return fill(words.h, {hours: hours});
    return fill(words.hmin, {hours: hours, minutes: minutes});
  }

  function businessElapsed(spans, elapsed) {
    var total = 0;
    spans.forEach(function (span) {
      var start = span[0], end = Math.min(span[1], elapsed);
      if (end > start) total += end - start;
    });
    return total;
  }

  function start(timer) {
    if (timer.dataset.targetStarted) return;
    timer.dataset.targetStarted = "1";
    var words, spans;
    try {
      words = JSON.parse(timer.dataset.words);
    } catch (error) {
      return;
    }
    spans = (timer.dataset.spans || "").split(";").filter(Boolean).map(function (pair) {
      return pair.split(",").map(Number);
    });
    var remaining = Number(timer.dataset.remaining);
    var soon = Number(timer.dataset.soon);
    var made = Date.now();
    var text = timer.querySelector("[data-target-words]");

    function tick() {
      if (!document.body.contains(timer)) return;
      var left = remaining - businessElapsed(spans, (Date.now() - made) / 1000);
      timer.classList.toggle("badge-danger", left <= 0);
      timer.classList.toggle("badge-warning", left > 0 && left <= soon);
      text.textContent = fill(left <= 0 ? words.late : words["in"], {duration: duration(words, left)});
      window.setTimeout(tick, 15000);
    }
    tick();
  }

  function scan(root) {
    (root || document).querySelectorAll("[data-target-timer]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { scan(event.target); });
})();
