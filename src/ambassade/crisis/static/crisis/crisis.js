/* The crisis pages' one behaviour, attached through a data- attribute (no inline script).
   data-rule-form   on the alert rule form: shows only the settings of the chosen kind. */
(function () {
  "use strict";

  var FIELDS = {
    query_id: ["volume_spike", "negativity_spike", "query_match"],
    sensitivity: ["volume_spike", "negativity_spike"],
    min_followers: ["influencer"],
    response_minutes: ["response_time"]
  };

  function update(form) {
    var kind = form.querySelector("[name=kind]").value;
    Object.keys(FIELDS).forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      var field = input && input.closest(".field");
      if (field) field.hidden = FIELDS[name].indexOf(kind) === -1;
    });
  }

  function init() {
    document.querySelectorAll("form[data-rule-form]").forEach(function (form) {
      var kind = form.querySelector("[name=kind]");
      if (!kind) return;
      kind.addEventListener("change", function () { update(form); });
      update(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
