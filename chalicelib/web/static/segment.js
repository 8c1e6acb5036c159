// MailExpert, the new-segment form: the member count follows the conditions as they change.
// Progressive enhancement only: without this script the "Count members" button shows the count.
// The form names its count address in data-count-url; the script posts the form there (with its
// CSRF token) and shows the answer's text: {"count": n, "text": "..."}.
(function () {
  "use strict";

  function enhance(form) {
    var output = form.querySelector("#segment-count");
    var countUrl = form.getAttribute("data-count-url");
    if (!output || !countUrl || !window.fetch || !window.URLSearchParams) {
      return;
    }
    var timer = null;
    var latest = 0;

    function formBody() {  // the form as it stands (its CSRF token included), without its buttons
      var params = new URLSearchParams();
      var fields = form.elements;
      for (var i = 0; i < fields.length; i += 1) {
        var field = fields[i];
        if (field.name && !field.disabled && field.type !== "submit" && field.name !== "add_field") {
          params.append(field.name, field.value);
        }
      }
      return params;
    }

    function update() {
      var ticket = (latest += 1);
      output.setAttribute("aria-busy", "true");
      fetch(countUrl, {method: "POST", body: formBody(), credentials: "same-origin",
                       headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.ok || response.status === 422 ? response.json() : null;
        })
        .then(function (answer) {
          if (answer && ticket === latest && typeof answer.text === "string") {
            output.textContent = answer.text;
          }
        })
        .catch(function () { /* the count stays as it was; the button still works */ })
        .then(function () {
          if (ticket === latest) {
            output.removeAttribute("aria-busy");
          }
        });
    }

    function later(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, delay);
    }

    function counts(field) {  // the fields the count depends on: which contacts, and the conditions
      return field && field.name && (field.name === "match" || field.name.indexOf("condition_") === 0);
    }

    form.addEventListener("change", function (event) {
      if (counts(event.target)) {
        later(150);
      }
    });
    form.addEventListener("input", function (event) {
      if (counts(event.target) && event.target.type === "text") {
        later(600);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-count-url]");
    for (var i = 0; i < forms.length; i += 1) {
      enhance(forms[i]);
    }
  });
})();
