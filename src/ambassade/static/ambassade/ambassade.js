/* Ambassade's small behaviours, attached through data- attributes (no inline script).
   data-menu         <details> menus close on outside click and on Escape
   data-dismiss      closes the enclosing [data-dismissable] notice
   data-confirm      on a form: asks the question before submitting
   data-scroll-current  on a scrolling nav: brings its [aria-current] link into view (phone width)
   data-show-when="NAME:A B"  shown only while its form's field NAME has the value A or B */
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  document.addEventListener("click", function (event) {
    var menu = event.target.closest("details[data-menu]");
    closeMenus(menu);
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var notice = dismiss.closest("[data-dismissable]");
      if (notice) notice.remove();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details[data-menu][open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function showWhen(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (element) {
      var rule = element.getAttribute("data-show-when");
      var at = rule.indexOf(":");
      var form = element.closest("form");
      var control = form && form.elements[rule.slice(0, at)];
      if (control) element.hidden = rule.slice(at + 1).split(" ").indexOf(control.value) === -1;
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form) showWhen(form);
  });

  function init() {
    showWhen(document);
    document.querySelectorAll("[data-scroll-current]").forEach(function (nav) {
      var current = nav.querySelector("[aria-current]");
      if (current && nav.scrollWidth > nav.clientWidth) {
        nav.scrollLeft = current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
