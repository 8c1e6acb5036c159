// MailExpert: progressive enhancement only; every page works without scripts.
document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");

  // The side menu is a <details>, open in the HTML (so it works without scripts): on a narrow screen it
  // starts closed behind its "Menu" button; on a wide one it is always open (its button is hidden).
  const menu = document.querySelector(".side-menu");
  if (menu) {
    const narrow = window.matchMedia("(max-width: 800px)");
    const fit = () => { menu.open = !narrow.matches; };
    fit();
    narrow.addEventListener("change", fit);
  }

  // A table wider than a narrow screen scrolls in its own box (app.css): the keyboard can scroll it too.
  const scrollable = () => document.querySelectorAll("main table").forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) table.setAttribute("tabindex", "0");
    else table.removeAttribute("tabindex");
  });
  scrollable();
  window.addEventListener("resize", scrollable);

  // After a failed submit: focus (and so scroll to) the first field with an error, else the summary.
  const invalid = document.querySelector("[aria-invalid=true]");
  const summary = document.querySelector(".error-summary");
  const first = invalid || summary;
  if (first) {
    if (first === summary && !summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    first.focus({ preventScroll: true });
    (first.closest("label") || first).scrollIntoView({ block: "center" });
  }
  // The summary's links lead to their fields; a link to a field that is not on the page is plain text.
  document.querySelectorAll(".error-summary a[href^='#']").forEach((link) => {
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      link.replaceWith(document.createTextNode(link.textContent));
      return;
    }
    link.addEventListener("click", (event) => {
      event.preventDefault();
      target.focus({ preventScroll: true });
      (target.closest("label") || target).scrollIntoView({ block: "center" });
    });
  });

  // A destructive action asks first. Without scripts its form has a required "Yes, I am sure" tick;
  // with them the tick is hidden and a dialog asks the form's data-confirm question instead.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    const tick = form.querySelector(".confirm-box input[type=checkbox]");
    if (tick) tick.required = false;
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      if (tick) tick.checked = true;
    });
  });
});
