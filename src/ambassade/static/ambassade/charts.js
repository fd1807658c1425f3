/* Draws every [data-chart] element from its Vega-Lite spec with the vendored Vega
   (scripts/vendor_charts.sh), under the Content-Security-Policy: expressions run through
   vega-interpreter (no eval), no injected <style> (the tooltip's look is in ambassade.css),
   numbers and dates in the page's language (data-chart-locale, d3's locale definitions).
   The server renders the same spec with vl-convert (analytics/charts.py). */
(function () {
  "use strict";

  function draw(element) {
    if (element.getAttribute("data-chart-drawn") || !window.vegaEmbed) return;
    element.setAttribute("data-chart-drawn", "1");
    var spec, locale;
    try {
      spec = JSON.parse(element.getAttribute("data-chart"));
      locale = JSON.parse(element.getAttribute("data-chart-locale") || "{}");
    } catch (error) {
      element.classList.add("chart-failed");
      return;
    }
    window.vegaEmbed(element, spec, {
      renderer: "svg",
      actions: false,
      defaultStyle: false,
      ast: true,
      expr: window.vegaExpressionInterpreter,
      tooltip: { disableDefaultStyle: true },
      formatLocale: locale.number,
      timeFormatLocale: locale.time
    }).then(function () {
      element.classList.add("chart-drawn");
    }).catch(function () {
      element.classList.add("chart-failed");
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  /* On paper the table behind each chart is printed open (ambassade.css opens it too where the
     browser knows ::details-content); the reader's own choice is put back after printing. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table:not([open])").forEach(function (details) {
      details.setAttribute("data-opened-for-print", "1");
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (details) {
      details.removeAttribute("data-opened-for-print");
      details.open = false;
    });
  });

  drawAll(document);
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
