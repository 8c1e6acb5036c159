// MailExpert: progressive enhancement only; every page works without scripts.
document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
});
