// MailExpert's cookie banner (P9), enhanced: the choice is posted with fetch and the banner goes away
// without a page reload. Without scripts (or if the post fails) the form posts as a plain form.
// After a choice the document gets a "mailexpert:consent" event whose detail is the server's answer
// ({consent: "1.analytics", analytics: true, marketing: false}); the mx_consent cookie says the same.
document.addEventListener("DOMContentLoaded", () => {
  const banner = document.querySelector("[data-consent-banner]");
  const form = banner && banner.querySelector("form");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  form.addEventListener("submit", async (event) => {
    if (form.dataset.plain) {
      return;  // the fallback: let the browser post it
    }
    event.preventDefault();
    const button = event.submitter;
    const body = new URLSearchParams(new FormData(form));
    if (button && button.name) {
      body.set(button.name, button.value);
    }
    try {
      const response = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: {"Accept": "application/json"},
      });
      if (!response.ok) {
        throw new Error("consent not saved: " + response.status);
      }
      const answer = await response.json();
      banner.hidden = true;
      document.dispatchEvent(new CustomEvent("mailexpert:consent", {detail: answer}));
    } catch (error) {
      form.dataset.plain = "1";
      form.requestSubmit(button || undefined);
    }
  });
});
