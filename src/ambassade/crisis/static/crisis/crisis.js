/* The crisis pages' one behaviour, attached through a data- attribute (no inline script).
   data-rule-form   on the alert rule form: shows only the settings of the chosen kind, and the
                    query list only when the rule watches queries. */
(function () {
  "use strict";

  var SPIKES = ["volume_spike", "negativity_spike"];
  var WATCHING = ["volume_spike", "negativity_spike", "influencer", "query_match"];
  var FIELDS = {
    scope: WATCHING,
    queries: WATCHING,
    severity: ["influencer", "query_match", "response_time"],  // spike alerts are rated one by one
    sensitivity: SPIKES,
    min_followers: ["influencer"]
  };

  function fieldOf(form, name) {
    // A list of checkboxes without choices has no input: its help text still names the field.
    var input = form.querySelector("[name=" + name + "]") || form.querySelector("#id_" + name + "_help");
    return input && input.closest(".field");
  }

  function update(form) {
    var kind = form.querySelector("[name=kind]").value;
    Object.keys(FIELDS).forEach(function (name) {
      var field = fieldOf(form, name);
      if (field) field.hidden = FIELDS[name].indexOf(kind) === -1;
    });
    // The query list matters only when the rule watches queries.
    var all = form.querySelector("[name=scope][value=all]");
    var queries = fieldOf(form, "queries");
    if (all && all.checked && queries) queries.hidden = true;
  }

  function init() {
    document.querySelectorAll("form[data-rule-form]").forEach(function (form) {
      var kind = form.querySelector("[name=kind]");
      if (!kind) return;
      kind.addEventListener("change", function () { update(form); });
      form.querySelectorAll("[name=scope]").forEach(function (radio) {
        radio.addEventListener("change", function () { update(form); });
      });
      update(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
